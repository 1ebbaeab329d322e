package dev.stint.broker.approvals;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The approval requests' rows: one per guarded task, and one vote per person who gave a verdict. */
public final class ApprovalRows {

    private static final String COLUMNS = "approval_id, agent_id, task_id, owner, tier, scopes, purpose, deadline,"
            + " digest, quorum, guarded, status, requested_at, window_ends_at, decided_at, break_glass";

    /** The topic other brokers hear when a request is decided; the key is its id. */
    public static final String CHANGES = "approval";

    private final Tx tx;

    public ApprovalRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    public void insert(Approval approval) throws UnavailableException {
        tx.update("INSERT INTO approvals (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ps -> {
                    set(ps, 1, approval.approvalId());
                    set(ps, 2, approval.agentId().value());
                    set(ps, 3, approval.taskId().value());
                    set(ps, 4, approval.owner());
                    set(ps, 5, approval.tier().name());
                    set(ps, 6, Scope.join(approval.scopes()));
                    set(ps, 7, approval.purpose());
                    set(ps, 8, approval.deadline().at());
                    set(ps, 9, approval.digest().text());
                    ps.setInt(10, approval.quorum());
                    set(ps, 11, approval.guarded());
                    set(ps, 12, approval.status().wireName());
                    set(ps, 13, approval.requestedAt());
                    set(ps, 14, approval.windowEndsAt());
                    set(ps, 15, approval.decidedAt());
                    ps.setInt(16, approval.breakGlass() ? 1 : 0);
                });
    }

    public Optional<Approval> find(String approvalId) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM approvals WHERE approval_id = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, approvalId), ApprovalRows::row);
    }

    public Optional<Approval> forTask(AgentId agent, TaskId task) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM approvals WHERE agent_id = ? AND task_id = ?" + tx.lockForUpdate(),
                ps -> {
                    set(ps, 1, agent.value());
                    set(ps, 2, task.value());
                }, ApprovalRows::row);
    }

    /** Requests in {@code status}, newest first. */
    public List<Approval> withStatus(ApprovalStatus status, int limit) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM approvals WHERE status = ? ORDER BY requested_at DESC,"
                + " approval_id LIMIT ?", ps -> {
                    set(ps, 1, status.wireName());
                    ps.setInt(2, limit);
                }, ApprovalRows::row);
    }

    /** Approved requests that {@code personId} approved, oldest first. */
    public List<Approval> approvedWithTheVoteOf(String personId) throws UnavailableException {
        return tx.many("SELECT " + prefixed("a.") + " FROM approvals a JOIN approval_votes v ON v.approval_id ="
                + " a.approval_id WHERE v.person_id = ? AND v.verdict = 'approve' AND a.status = 'approved'"
                + " ORDER BY a.requested_at, a.approval_id", ps -> set(ps, 1, personId), ApprovalRows::row);
    }

    private static String prefixed(String alias) {
        return alias + COLUMNS.replace(", ", ", " + alias);
    }

    /** Pending requests whose window closed by {@code now}, oldest first. */
    public List<Approval> pendingPastWindow(Instant now, int limit) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM approvals WHERE status = 'pending' AND window_ends_at <= ?"
                + " ORDER BY window_ends_at LIMIT ?", ps -> {
                    set(ps, 1, now);
                    ps.setInt(2, limit);
                }, ApprovalRows::row);
    }

    /**
     * Moves a pending request to a final status.
     *
     * @return {@code false} when it was no longer pending
     */
    public boolean decide(String approvalId, ApprovalStatus status, Instant at) throws UnavailableException {
        if (!status.isFinal()) {
            throw new IllegalArgumentException("a decision is final");
        }
        return tx.update("UPDATE approvals SET status = ?, decided_at = ? WHERE approval_id = ? AND status = 'pending'",
                ps -> {
                    set(ps, 1, status.wireName());
                    set(ps, 2, at);
                    set(ps, 3, approvalId);
                }) == 1;
    }

    private static Approval row(ResultSet rs) throws SQLException {
        return new Approval(rs.getString(1), new AgentId(rs.getString(2)), new TaskId(rs.getString(3)),
                rs.getString(4), new Tier(rs.getString(5)), Scope.parseList(rs.getString(6)), rs.getString(7),
                new TaskDeadline(instant(rs, 8)), ApprovalDigest.parse(rs.getString(9)), rs.getInt(10),
                rs.getString(11), ApprovalStatus.fromWire(rs.getString(12)), instant(rs, 13), instant(rs, 14),
                instant(rs, 15), rs.getInt(16) == 1);
    }
}
