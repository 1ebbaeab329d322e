package dev.stint.broker.credentials;

import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.Objects;

/**
 * A database login issued (or being issued) for one task: which backend connection, which
 * username, until when, and where its revocation stands. Never a password: the backend gives it
 * once and the broker hands it on once.
 *
 * @param username the login's name; for the built-in provider chosen (and recorded) before the
 *     backend is asked, for Vault known once it answered ({@code null} until then)
 * @param backendLeaseId the backend's own lease id (Vault's), or {@code null}
 * @param nextAttemptAt when revocation is next tried (or, while issuing, when an unfinished
 *     issue is given up for cleaning); {@code null} when nothing is due
 * @param lastError why the last revocation attempt failed, for humans; {@code null} when none did
 */
public record Lease(
        String leaseId,
        AgentId agentId,
        TaskId taskId,
        Tier tier,
        String role,
        String connection,
        Provider provider,
        String username,
        String backendLeaseId,
        LeaseState state,
        Instant createdAt,
        Instant expiresAt,
        Instant nextAttemptAt,
        int attempts,
        String lastError,
        Instant revokedAt) {

    /** The kind of backend a lease's connection is. */
    public enum Provider {
        POSTGRES("postgres"),
        VAULT("vault");

        private final String wireName;

        Provider(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Provider fromWire(String name) {
            for (Provider p : values()) {
                if (p.wireName.equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown provider " + name);
        }
    }

    public Lease {
        Objects.requireNonNull(leaseId, "leaseId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts cannot be negative");
        }
    }

    /** A lease whose intent is recorded now, before the backend is asked. */
    public static Lease intent(String leaseId, AgentId agentId, TaskId taskId, Tier tier, String role,
            String connection, Provider provider, String plannedUsername, Instant now, Instant expiresAt,
            Instant giveUpIssuingAt) {
        return new Lease(leaseId, agentId, taskId, tier, role, connection, provider, plannedUsername, null,
                LeaseState.PENDING, now, expiresAt, giveUpIssuingAt, 0, null, null);
    }
}
