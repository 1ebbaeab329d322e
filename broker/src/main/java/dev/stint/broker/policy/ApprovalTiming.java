package dev.stint.broker.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * How long approvals may take and how fresh a person's sign-in must be to give one.
 *
 * @param window how long a pending task waits for its quorum (policy {@code approval_window},
 *     default 10 minutes; never past the task's deadline)
 * @param reauthWithin a person signed in by single sign-on longer ago than this signs in again
 *     before approving (policy {@code reauth_within}, default 5 minutes)
 */
public record ApprovalTiming(Duration window, Duration reauthWithin) {

    public static final ApprovalTiming DEFAULT = new ApprovalTiming(Duration.ofMinutes(10), Duration.ofMinutes(5));

    public ApprovalTiming {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(reauthWithin, "reauthWithin");
        if (window.isNegative() || window.isZero() || reauthWithin.isNegative() || reauthWithin.isZero()) {
            throw new IllegalArgumentException("approval durations are positive");
        }
    }
}
