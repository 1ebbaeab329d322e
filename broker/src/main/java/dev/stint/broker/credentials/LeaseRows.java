package dev.stint.broker.credentials;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The leases' rows: the credentials feature's own. */
public final class LeaseRows {

    private static final String COLUMNS = "lease_id, agent_id, task_id, tier, role, connection, provider, username,"
            + " backend_lease_id, state, created_at, expires_at, next_attempt_at, attempts, last_error, revoked_at";
    /** Revocation owed, or an issue given up half-way (pending past the time it had to finish). */
    private static final String DUE = "state IN ('pending', 'revoking', 'failed')"
            + " AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?";

    private final Tx tx;

    public LeaseRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** Records a lease (its intent, before the backend is asked). */
    public void insert(Lease lease) throws UnavailableException {
        tx.update("INSERT INTO leases (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            set(ps, 1, lease.leaseId());
            set(ps, 2, lease.agentId().value());
            set(ps, 3, lease.taskId().value());
            set(ps, 4, lease.tier().name());
            set(ps, 5, lease.role());
            set(ps, 6, lease.connection());
            set(ps, 7, lease.provider().wireName());
            set(ps, 8, lease.username());
            set(ps, 9, lease.backendLeaseId());
            set(ps, 10, lease.state().wireName());
            set(ps, 11, lease.createdAt());
            set(ps, 12, lease.expiresAt());
            set(ps, 13, lease.nextAttemptAt());
            ps.setInt(14, lease.attempts());
            set(ps, 15, lease.lastError());
            set(ps, 16, lease.revokedAt());
        });
    }

    public Optional<Lease> find(String leaseId) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM leases WHERE lease_id = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, leaseId), LeaseRows::row);
    }

    /** Every lease of the agent's task, oldest first. */
    public List<Lease> ofTask(AgentId agent, TaskId task) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM leases WHERE agent_id = ? AND task_id = ? ORDER BY created_at, lease_id"
                + tx.lockForUpdate(), ps -> {
                    set(ps, 1, agent.value());
                    set(ps, 2, task.value());
                }, LeaseRows::row);
    }

    /** How many leases the agent's task has had, whatever their state. */
    public int countOfTask(AgentId agent, TaskId task) throws UnavailableException {
        return tx.one("SELECT COUNT(*) FROM leases WHERE agent_id = ? AND task_id = ?", ps -> {
            set(ps, 1, agent.value());
            set(ps, 2, task.value());
        }, rs -> rs.getInt(1)).orElse(0);
    }

    /**
     * The backend confirmed the login: a pending lease becomes active.
     *
     * @return {@code false} when the lease was no longer pending (its task ended meanwhile)
     */
    public boolean activate(String leaseId, String username, String backendLeaseId, Instant expiresAt)
            throws UnavailableException {
        return tx.update("UPDATE leases SET state = 'active', username = ?, backend_lease_id = ?, expires_at = ?,"
                + " next_attempt_at = NULL WHERE lease_id = ? AND state = 'pending'", ps -> {
                    set(ps, 1, username);
                    set(ps, 2, backendLeaseId);
                    set(ps, 3, expiresAt);
                    set(ps, 4, leaseId);
                }) == 1;
    }

    /** Records what the backend answered for a lease that is no longer pending, so that revocation finds it. */
    public void recordBackendLogin(String leaseId, String username, String backendLeaseId) throws UnavailableException {
        tx.update("UPDATE leases SET username = COALESCE(username, ?), backend_lease_id = COALESCE(backend_lease_id, ?)"
                + " WHERE lease_id = ?", ps -> {
                    set(ps, 1, username);
                    set(ps, 2, backendLeaseId);
                    set(ps, 3, leaseId);
                });
    }

    /**
     * Every lease of the task that may still exist and is not already being revoked becomes
     * {@code revoking}, due now.
     *
     * @return how many
     */
    public int revokeAllOf(AgentId agent, TaskId task, Instant now) throws UnavailableException {
        return tx.update("UPDATE leases SET state = 'revoking', next_attempt_at = ?"
                + " WHERE agent_id = ? AND task_id = ? AND state IN ('pending', 'active')", ps -> {
                    set(ps, 1, now);
                    set(ps, 2, agent.value());
                    set(ps, 3, task.value());
                });
    }

    /** A single lease becomes {@code revoking}, due now (an issue that failed half-way). */
    public void revoke(String leaseId, Instant now, String reason) throws UnavailableException {
        tx.update("UPDATE leases SET state = 'revoking', next_attempt_at = ?, last_error = ?"
                + " WHERE lease_id = ? AND state IN ('pending', 'active')", ps -> {
                    set(ps, 1, now);
                    set(ps, 2, reason);
                    set(ps, 3, leaseId);
                });
    }

    /**
     * Takes up to {@code limit} leases whose revocation (or clean-up of an unfinished issue) is due,
     * and puts their next attempt at {@code claimedUntil}, so that no other sweep takes them
     * while this one works on them. Soonest due first. A pending lease that is due was never
     * confirmed (the broker stopped, or the backend never answered): it is revoked like the rest,
     * for the backend may have created the login.
     */
    public List<Lease> claimDue(Instant now, Instant claimedUntil, int limit) throws UnavailableException {
        List<Lease> due = tx.many("SELECT " + COLUMNS + " FROM leases WHERE " + DUE
                + " ORDER BY next_attempt_at LIMIT ?" + tx.lockForUpdate(), ps -> {
                    set(ps, 1, now);
                    ps.setInt(2, limit);
                }, LeaseRows::row);
        for (Lease lease : due) {
            claim(lease.leaseId(), claimedUntil);
        }
        return due;
    }

    /** Keeps other sweeps off one lease until {@code claimedUntil} (see {@link #claimDue}). */
    public void claim(String leaseId, Instant claimedUntil) throws UnavailableException {
        tx.update("UPDATE leases SET next_attempt_at = ?,"
                + " state = CASE WHEN state = 'pending' THEN 'revoking' ELSE state END WHERE lease_id = ?", ps -> {
                    set(ps, 1, claimedUntil);
                    set(ps, 2, leaseId);
                });
    }

    /** The backend confirmed the login gone. @return {@code false} when it was already recorded revoked */
    public boolean revoked(String leaseId, Instant at) throws UnavailableException {
        return tx.update("UPDATE leases SET state = 'revoked', revoked_at = ?, next_attempt_at = NULL, last_error = NULL"
                + " WHERE lease_id = ? AND state <> 'revoked'", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, leaseId);
                }) == 1;
    }

    /** A revocation attempt failed: tried again at {@code nextAttemptAt}, never given up. */
    public void failed(String leaseId, String error, Instant nextAttemptAt) throws UnavailableException {
        tx.update("UPDATE leases SET state = 'failed', attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                + " WHERE lease_id = ? AND state <> 'revoked'", ps -> {
                    set(ps, 1, error);
                    set(ps, 2, nextAttemptAt);
                    set(ps, 3, leaseId);
                });
    }

    /** Revocations owed on one connection: how many leases are revoking or failing, and since when. */
    public record Owed(String connection, int revoking, int failed, Instant oldestSince) {
    }

    /** What each connection owes in revocations, for {@code /health}. */
    public List<Owed> owed() throws UnavailableException {
        return tx.many("SELECT connection, SUM(CASE WHEN state = 'revoking' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), MIN(created_at) FROM leases"
                + " WHERE state IN ('revoking', 'failed') GROUP BY connection ORDER BY connection", Tx.Binder.NONE,
                rs -> new Owed(rs.getString(1), rs.getInt(2), rs.getInt(3), instant(rs, 4)));
    }

    /** Leases in {@code state}, oldest first. */
    public List<Lease> inState(LeaseState state, int limit) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM leases WHERE state = ? ORDER BY created_at, lease_id LIMIT ?", ps -> {
            set(ps, 1, state.wireName());
            ps.setInt(2, limit);
        }, LeaseRows::row);
    }

    private static Lease row(ResultSet rs) throws SQLException {
        return new Lease(rs.getString(1), new AgentId(rs.getString(2)), new TaskId(rs.getString(3)),
                new Tier(rs.getString(4)), rs.getString(5), rs.getString(6), Lease.Provider.fromWire(rs.getString(7)),
                rs.getString(8), rs.getString(9), LeaseState.fromWire(rs.getString(10)), instant(rs, 11),
                instant(rs, 12), instant(rs, 13), rs.getInt(14), rs.getString(15), instant(rs, 16));
    }
}
