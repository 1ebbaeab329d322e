package dev.stint.broker.pgroles;

import java.util.List;
import java.util.Map;

/**
 * What one {@link RoleReaper#reap} did.
 *
 * @param dropped  logins revoked and verified gone
 * @param failed   login → reason, for those whose revocation failed; they stay expired, so the next
 *                 run tries again
 * @param notTried logins left for the next run because PostgreSQL became unavailable
 */
public record ReapReport(List<String> dropped, Map<String, String> failed, List<String> notTried) {

    public ReapReport {
        dropped = List.copyOf(dropped);
        failed = Map.copyOf(failed);
        notTried = List.copyOf(notTried);
    }
}
