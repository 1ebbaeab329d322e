package dev.stint.sdk;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * One session's database credentials, cached per role. A second request for a role is answered
 * from the cache while the credentials stay valid for at least the safety margin (half their
 * life, for short ones; see {@link ServeWindow#forLease}); then one caller asks the broker for a
 * new login while the others for that role wait and take it. Nothing is served, or asked for,
 * once the session is dead, and a malformed role name is refused before any of that. Thread safe.
 */
final class CachedDatabaseCredentials {

    /** Roles per task are few; the bound only stops a runaway caller. */
    private static final int MAX_ROLES = 64;

    private final DatabaseCredentialIssuer issuer;
    private final Clock clock;
    private final ServeWindow window;
    private final SessionCache<String, DatabaseCredentials> cache;

    CachedDatabaseCredentials(DatabaseCredentialIssuer issuer, SessionLife life, Clock clock, ServeWindow window,
            KeyedLocks<Object> locks) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
        this.cache = new SessionCache<>(life, clock, MAX_ROLES, locks);
    }

    /**
     * Credentials for {@code role}; see {@link TaskSession#databaseCredentials(String)}.
     *
     * @throws BrokerRejectedException refused by this client, without a request, for a malformed
     *     role name ({@link DatabaseRoles#require})
     */
    DatabaseCredentials get(String role) throws BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(role, "role");
        DatabaseRoles.require(role);
        // The cache is the session's, so the role alone is the key: task and tier are fixed.
        return cache.get(role, () -> {
            DatabaseCredentials fresh = issuer.issue(role);
            Instant now = clock.instant();
            return new Served<>(fresh, window.forLease(now, fresh.expiresAt()));
        });
    }
}
