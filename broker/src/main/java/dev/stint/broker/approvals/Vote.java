package dev.stint.broker.approvals;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One person's verdict on one approval request, with the evidence they gave.
 *
 * @param comment {@code null} when none was given
 * @param evidence JSON: for a passkey, everything needed to re-verify the assertion offline
 *     ({@link PasskeyEvidence}); for a single sign-on session, when and how its person signed in
 */
public record Vote(String approvalId, String personId, Verdict verdict, String comment, String evidence, Instant at) {

    public enum Verdict {
        APPROVE, DENY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Verdict fromWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    public Vote {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(at, "at");
    }
}
