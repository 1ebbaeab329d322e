package dev.stint.broker.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * What the policy says about a request, always with the reason a human reads in the audit log
 * and the API answer.
 *
 * @param ttl the task lifetime granted; {@code null} unless allowed
 */
public record Decision(Outcome outcome, String reason, Duration ttl) {

    public enum Outcome {
        ALLOW, DENY, PENDING
    }

    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        if ((outcome == Outcome.ALLOW) != (ttl != null)) {
            throw new IllegalArgumentException("an allow carries a ttl, nothing else does");
        }
    }

    public static Decision allow(String reason, Duration ttl) {
        return new Decision(Outcome.ALLOW, reason, ttl);
    }

    public static Decision deny(String reason) {
        return new Decision(Outcome.DENY, reason, null);
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOW;
    }
}
