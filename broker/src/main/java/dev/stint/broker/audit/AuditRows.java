package dev.stint.broker.audit;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Dialect;
import dev.stint.broker.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** The audit log's rows: an append-only, hash-chained table. */
public final class AuditRows {

    private static final String COLUMNS = "seq, at, actor, action, decision, agent_id, task_id, tier, scopes,"
            + " reason, prev_hash, hash, origin";

    private final Tx tx;

    public AuditRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /**
     * Appends to the hash chain; the record commits or rolls back with the rest of the unit. The
     * chain's head is read inside the unit (under lock where units run concurrently), so a unit
     * rolled back leaves no gap and two units never take the same sequence number.
     *
     * @throws IllegalStateException in a read-only unit
     */
    public AuditRecord append(AuditEvent event, Instant at) throws UnavailableException {
        if (!tx.writable()) {
            throw new IllegalStateException("audit records are written in write transactions only");
        }
        Head head = tx.recall(Head.class);
        if (head == null) {
            if (tx.dialect() == Dialect.POSTGRESQL) {
                // Brokers sharing one database append concurrently. Locking the head record is not
                // enough (an empty log has none; under READ COMMITTED a unit that waited on the old
                // head's lock reads that same old row back): every append first locks the one row
                // of audit_head until commit, and the head read after it sees the appends before.
                tx.one("SELECT id FROM audit_head WHERE id = 1 FOR UPDATE", Tx.Binder.NONE, rs -> rs.getInt(1));
            }
            head = tx.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1" + tx.dialect().forUpdate(),
                    Tx.Binder.NONE, rs -> new Head(rs.getLong(1), rs.getString(2)))
                    .orElse(new Head(0, HashChain.GENESIS));
        }
        if (event.origin() == null && event.taskId() != null && event.agentId() != null) {
            event = event.withOrigin(taskOrigin(event.agentId(), event.taskId()).orElse(null));
        }
        AuditEvent recorded = event;
        long seq = head.seq() + 1;
        String hash = HashChain.hash(seq, at, event, head.hash());
        AuditRecord record = new AuditRecord(seq, at, recorded, head.hash(), hash);
        String prevHash = head.hash();
        tx.update("INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            ps.setLong(1, seq);
            set(ps, 2, at);
            set(ps, 3, recorded.actor());
            set(ps, 4, recorded.action());
            set(ps, 5, recorded.decision().wireName());
            set(ps, 6, recorded.agentId());
            set(ps, 7, recorded.taskId());
            set(ps, 8, recorded.tier());
            set(ps, 9, recorded.scopes());
            set(ps, 10, recorded.reason());
            set(ps, 11, prevHash);
            set(ps, 12, hash);
            set(ps, 13, recorded.origin() == null ? null : recorded.origin().toJson());
        });
        // Kept for the next append of this transaction: one read of the head per batch, not per record.
        tx.remember(Head.class, new Head(seq, hash));
        return record;
    }

    /**
     * Marks a task as opened by a CI run: from now on every record about the task carries
     * {@code origin}. Written in the unit that opens the task, before its first record.
     */
    public void attachOrigin(String agentId, String taskId, CiOrigin origin) throws UnavailableException {
        tx.update("INSERT INTO task_origins (agent_id, task_id, origin) VALUES (?, ?, ?)", ps -> {
            set(ps, 1, agentId);
            set(ps, 2, taskId);
            set(ps, 3, origin.toJson());
        });
    }

    private Optional<CiOrigin> taskOrigin(String agentId, String taskId) throws UnavailableException {
        return tx.one("SELECT origin FROM task_origins WHERE agent_id = ? AND task_id = ?", ps -> {
            set(ps, 1, agentId);
            set(ps, 2, taskId);
        }, rs -> CiOrigin.fromJson(rs.getString(1)));
    }

    /** Records matching {@code query}, oldest first; empty when none. */
    public List<AuditRecord> query(AuditQuery query) throws UnavailableException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ?");
        List<Object> args = new ArrayList<>();
        args.add(query.afterSeq());
        if (query.taskId() != null) {
            sql.append(" AND task_id = ?");
            args.add(query.taskId());
        }
        if (query.agentId() != null) {
            sql.append(" AND agent_id = ?");
            args.add(query.agentId());
        }
        if (query.since() != null) {
            sql.append(" AND at >= ?");
            args.add(query.since().toEpochMilli());
        }
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(query.limit());
        return tx.many(sql.toString(), ps -> {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
        }, AuditRows::row);
    }

    /** The latest record, if any. */
    public Optional<AuditRecord> last() throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq DESC LIMIT 1", Tx.Binder.NONE,
                AuditRows::row);
    }

    private record Head(long seq, String hash) {
    }

    private static AuditRecord row(ResultSet rs) throws SQLException {
        AuditEvent event = new AuditEvent(rs.getString(3), rs.getString(4),
                AuditEvent.Decision.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), CiOrigin.fromJson(rs.getString(13)));
        return new AuditRecord(rs.getLong(1), instant(rs, 2), event, rs.getString(11), rs.getString(12));
    }
}
