package dev.stint.sdk;

import dev.stint.token.Tier;
import java.time.Instant;
import java.util.Objects;

/**
 * One database lease of a task as the broker lists it: which login, for which role, and where
 * its revocation stands. It has no password: the broker hands a password out once, in
 * {@link TaskSession#databaseCredentials(String)}, and never lists it.
 *
 * @param leaseId the broker's id for the lease
 * @param role the role it was issued for
 * @param tier the tier it belongs to: its task's
 * @param connection the name of the backend connection it was issued on
 * @param username the login's name; null while a backend that names logins itself has not answered
 * @param state where it stands
 * @param createdAt when the broker recorded it
 * @param expiresAt when the login stops working at the latest
 * @param revokedAt when the backend confirmed its revocation; null until then
 * @param lastError why the last revocation attempt failed, for humans; null when none did
 */
public record LeaseInfo(
        String leaseId,
        String role,
        Tier tier,
        String connection,
        String username,
        LeaseState state,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt,
        String lastError) {

    public LeaseInfo {
        Objects.requireNonNull(leaseId, "leaseId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
