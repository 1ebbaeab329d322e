package dev.stint.token.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A broker signing key: an ES256 (P-256) private key with its {@code kid}. {@link #toString()}
 * never prints the private part.
 */
public final class SigningKey {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ECKey privateJwk;
    private final Instant createdAt;

    public SigningKey(ECKey privateJwk, Instant createdAt) {
        Objects.requireNonNull(privateJwk, "privateJwk");
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        if (!privateJwk.isPrivate()) {
            throw new IllegalArgumentException("a signing key needs its private part");
        }
        if (privateJwk.getKeyID() == null || privateJwk.getKeyID().isBlank()) {
            throw new IllegalArgumentException("a signing key needs a kid");
        }
        if (!Curve.P_256.equals(privateJwk.getCurve())) {
            throw new IllegalArgumentException("signing keys are P-256 (ES256)");
        }
        this.privateJwk = privateJwk;
    }

    /** A fresh P-256 key whose kid is random, so it reveals nothing and never collides. */
    public static SigningKey generate(Instant createdAt) {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyID("stint-" + HexFormat.of().formatHex(id))
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
            return new SigningKey(key, createdAt);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }

    public String kid() {
        return privateJwk.getKeyID();
    }

    public JWSAlgorithm algorithm() {
        return JWSAlgorithm.ES256;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The private JWK, for the minter and for sealing at rest; handle with care. */
    public ECKey privateJwk() {
        return privateJwk;
    }

    public ECKey publicJwk() {
        return privateJwk.toPublicJWK();
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid() + ", alg=ES256, createdAt=" + createdAt + "]";
    }
}
