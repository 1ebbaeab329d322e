package dev.stint.broker.credentials;

import dev.stint.broker.deployment.Backends;
import dev.stint.broker.deployment.PostgresBackend;
import dev.stint.broker.deployment.VaultBackend;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The deployment file's backend connections as credential backends, by name: each its own client
 * with its own secret, nothing shared between tiers.
 */
public final class CredentialBackends implements AutoCloseable {

    private final Map<String, CredentialBackend> byName;

    private CredentialBackends(Map<String, CredentialBackend> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** @param broker who makes the logins (the issuer), for their comment in the database */
    public static CredentialBackends from(Backends backends, String broker, Clock clock) {
        Map<String, CredentialBackend> byName = new LinkedHashMap<>();
        for (PostgresBackend postgres : backends.postgres().values()) {
            byName.put(postgres.name(), new PostgresCredentialBackend(postgres, broker));
        }
        for (VaultBackend vault : backends.vault().values()) {
            Optional<PostgresCredentialBackend> sessions = vault.sessions()
                    .map(name -> (PostgresCredentialBackend) byName.get(name));
            byName.put(vault.name(), new VaultCredentialBackend(vault, sessions.flatMap(CredentialBackend::endpoint),
                    sessions.map(PostgresCredentialBackend::roles), clock));
        }
        return new CredentialBackends(byName);
    }

    /**
     * Reaps every PostgreSQL connection's expired Stint logins (see
     * {@link PostgresCredentialBackend#reap}); blocking. A connection that cannot be reached is
     * reported by its reason and the others are still reaped.
     *
     * @return per PostgreSQL connection, what was dropped, what failed and why
     */
    public java.util.List<ReapOutcome> reapAll(java.time.Instant now) {
        java.util.List<ReapOutcome> outcomes = new java.util.ArrayList<>();
        for (CredentialBackend backend : byName.values()) {
            if (backend instanceof PostgresCredentialBackend postgres) {
                try {
                    dev.stint.broker.pgroles.ReapReport report = postgres.reap(now);
                    outcomes.add(new ReapOutcome(backend.connection(), report.dropped().size(),
                            report.failed().isEmpty() && report.notTried().isEmpty(), describe(report)));
                } catch (CredentialBackend.BackendException e) {
                    outcomes.add(new ReapOutcome(backend.connection(), 0, false, "not reaped: " + e.reason()));
                }
            }
        }
        return outcomes;
    }

    /** What reaping one connection did; {@code clean} when nothing failed or was left untried. */
    public record ReapOutcome(String connection, int dropped, boolean clean, String text) {
    }

    private static String describe(dev.stint.broker.pgroles.ReapReport report) {
        StringBuilder text = new StringBuilder();
        text.append(report.dropped().size()).append(" expired login(s) dropped");
        if (!report.dropped().isEmpty()) {
            text.append(" (").append(String.join(", ", report.dropped())).append(")");
        }
        report.failed().forEach((name, reason) -> text.append("; ").append(name).append(" failed: ").append(reason));
        if (!report.notTried().isEmpty()) {
            text.append("; not tried (the database stopped answering): ").append(String.join(", ", report.notTried()));
        }
        return text.toString();
    }

    /** The backends by connection name. */
    public Map<String, CredentialBackend> byName() {
        return byName;
    }

    @Override
    public void close() {
        for (CredentialBackend backend : byName.values()) {
            if (backend instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // Closing a client releases threads and sockets; there is nothing to do if that fails.
                }
            }
        }
    }
}
