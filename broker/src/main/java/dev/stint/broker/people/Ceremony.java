package dev.stint.broker.people;

import java.time.Instant;
import java.util.Objects;

/**
 * A WebAuthn ceremony under way: the challenge the server chose, spent by the first answer and
 * dead after {@link #LIFE}.
 *
 * @param enrollmentHash for an enrollment: the hash of the link it was started from; else {@code null}
 * @param personId for an enrollment: who registers; else {@code null}
 * @param userHandle for an enrollment: the WebAuthn user id the passkey is made for; else {@code null}
 */
public record Ceremony(
        String id,
        Kind kind,
        String challenge,
        String enrollmentHash,
        String personId,
        String userHandle,
        Instant expiresAt) {

    public static final java.time.Duration LIFE = java.time.Duration.ofMinutes(5);

    public enum Kind {
        ENROLL("enroll"), SIGN_IN("sign_in");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wireName() {
            return wire;
        }

        static Kind fromWire(String wire) {
            return wire.equals(ENROLL.wire) ? ENROLL : SIGN_IN;
        }
    }

    public Ceremony {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
