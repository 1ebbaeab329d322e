package dev.stint.broker.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a post to a webhook with a secret: {@code sha256=} and the hex HMAC-SHA256,
 * keyed with the secret, of {@code TIMESTAMP.BODY} (the {@code X-Stint-Timestamp} value, a dot,
 * the body's bytes). The timestamp inside the signed text lets a receiver refuse old replays.
 */
final class Signature {

    static final String HEADER = "X-Stint-Signature";
    static final String TIMESTAMP_HEADER = "X-Stint-Timestamp";
    static final String PREFIX = "sha256=";

    private Signature() {
    }

    static String of(String secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not usable in this JDK", e);
        }
    }
}
