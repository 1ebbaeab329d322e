package dev.stint.broker.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * A signing key as stored: public JWK in clear, private JWK sealed with the master key. A key is
 * <em>next</em> (published, not yet signing), then <em>active</em> (signing), then
 * <em>retired</em> (verifiable until {@code verifyUntil}).
 *
 * @param createdAt when it was generated, and so first published in the JWKS
 * @param activatedAt when it began to sign; {@code null} for the next key
 * @param retiredAt when it stopped signing; {@code null} for the next and the active key
 * @param verifyUntil after this no token it signed can still be valid; {@code null} until retired
 */
public record StoredKey(String kid, String publicJwk, String sealedPrivateJwk, Instant createdAt,
        Instant activatedAt, Instant retiredAt, Instant verifyUntil) {

    public StoredKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(publicJwk, "publicJwk");
        Objects.requireNonNull(sealedPrivateJwk, "sealedPrivateJwk");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Published in the JWKS, waiting to sign. */
    public boolean isNext() {
        return activatedAt == null && retiredAt == null;
    }

    /** The key that signs. */
    public boolean isActive() {
        return activatedAt != null && retiredAt == null;
    }

    @Override
    public String toString() {
        return "StoredKey[kid=" + kid + ", createdAt=" + createdAt + ", activatedAt=" + activatedAt
                + ", retiredAt=" + retiredAt + "]";
    }
}
