package dev.stint.broker.people;

import java.time.Instant;
import java.util.Objects;

/**
 * A one-time link where a person registers a passkey, as stored: only the hash of its secret.
 *
 * @param usedAt {@code null} until a passkey was registered through it
 */
public record Enrollment(String tokenHash, String personId, Instant createdAt, Instant expiresAt, Instant usedAt) {

    public Enrollment {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Why the link cannot be used at {@code now}; empty when it can. */
    public java.util.Optional<String> unusableBecause(Instant now) {
        if (usedAt != null) {
            return java.util.Optional.of("this enrollment link was used already; ask an admin for a new one");
        }
        if (!now.isBefore(expiresAt)) {
            return java.util.Optional.of("this enrollment link expired at " + expiresAt
                    + "; ask an admin for a new one");
        }
        return java.util.Optional.empty();
    }
}
