package dev.stint.broker.people;

import java.time.Instant;
import java.util.Objects;

/**
 * A person's registered WebAuthn credential. Binary values are base64url.
 *
 * @param publicKey the credential's COSE public key
 * @param signCount the authenticator's counter at its last use; a use that does not raise it
 *     (when either is non-zero) is refused as a possible clone
 * @param lastUsedAt {@code null} until it signed someone in
 */
public record Passkey(
        String credentialId,
        String personId,
        String publicKey,
        String aaguid,
        long signCount,
        String userHandle,
        Instant createdAt,
        Instant lastUsedAt) {

    public Passkey {
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(aaguid, "aaguid");
        Objects.requireNonNull(userHandle, "userHandle");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
