package dev.stint.broker.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * What the policy says about a request, always with the reason a human reads in the audit log
 * and the API answer.
 *
 * @param ttl the task lifetime granted; {@code null} when denied
 * @param approval what a pending task waits for; {@code null} unless pending
 */
public record Decision(Outcome outcome, String reason, Duration ttl, ApprovalNeed approval) {

    public enum Outcome {
        ALLOW, DENY, PENDING
    }

    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        if ((outcome == Outcome.DENY) == (ttl != null)) {
            throw new IllegalArgumentException("an allow or a pending decision carries a ttl, a deny does not");
        }
        if ((outcome == Outcome.PENDING) != (approval != null)) {
            throw new IllegalArgumentException("a pending decision, and only it, says what approval it waits for");
        }
    }

    public static Decision allow(String reason, Duration ttl) {
        return new Decision(Outcome.ALLOW, reason, ttl, null);
    }

    public static Decision deny(String reason) {
        return new Decision(Outcome.DENY, reason, null, null);
    }

    /** Everything else allows the task, once {@code approval} is given within its window. */
    public static Decision pending(String reason, Duration ttl, ApprovalNeed approval) {
        return new Decision(Outcome.PENDING, reason, ttl, approval);
    }

    public boolean pending() {
        return outcome == Outcome.PENDING;
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOW;
    }
}
