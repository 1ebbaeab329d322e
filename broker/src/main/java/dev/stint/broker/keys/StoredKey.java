package dev.stint.broker.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * A signing key as stored: public JWK in clear, private JWK sealed with the master key.
 *
 * @param retiredAt when it stopped signing; {@code null} for the active key
 * @param verifyUntil after this no token it signed can still be valid; {@code null} while active
 */
public record StoredKey(String kid, String publicJwk, String sealedPrivateJwk, Instant createdAt,
        Instant retiredAt, Instant verifyUntil) {

    public StoredKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(publicJwk, "publicJwk");
        Objects.requireNonNull(sealedPrivateJwk, "sealedPrivateJwk");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public String toString() {
        return "StoredKey[kid=" + kid + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "]";
    }
}
