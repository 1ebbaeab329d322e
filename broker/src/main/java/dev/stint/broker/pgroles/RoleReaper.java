package dev.stint.broker.pgroles;

import dev.stint.broker.pgroles.PostgresUnavailableException.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Removes the Stint logins whose deadline has passed, knowing nothing but the database: the same
 * code serves the broker's own sweep and {@code stint reap}, which runs from cron or a systemd
 * timer while the broker is down. {@code VALID UNTIL} already refuses new logins after the
 * deadline; this ends the sessions still open and drops the roles. Which roles are Stint's is
 * {@link PostgresRoles#expired}'s business; nothing else is touched.
 */
public final class RoleReaper {

    private final PostgresRoles roles;

    public RoleReaper(PostgresRoles roles) {
        this.roles = Objects.requireNonNull(roles, "roles");
    }

    /**
     * Revokes every expired login, going on after a failed one; stops at the first
     * {@link Kind#UNAVAILABLE} answer, as the rest would wait on the same outage.
     *
     * @throws PostgresUnavailableException when the expired logins cannot even be listed
     */
    public ReapReport reap(Instant now) throws PostgresUnavailableException {
        List<String> expired = roles.expired(now);
        List<String> dropped = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (int i = 0; i < expired.size(); i++) {
            String name = expired.get(i);
            try {
                roles.revoke(name);
                dropped.add(name);
            } catch (PostgresUnavailableException e) {
                failed.put(name, e.reason());
                if (e.kind() == Kind.UNAVAILABLE) {
                    return new ReapReport(dropped, failed, expired.subList(i + 1, expired.size()));
                }
            }
        }
        return new ReapReport(dropped, failed, List.of());
    }
}
