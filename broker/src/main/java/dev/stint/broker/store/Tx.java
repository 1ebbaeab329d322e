package dev.stint.broker.store;

import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction, as a unit of work sees it. Each feature reaches its own rows through it
 * ({@code new TaskRows(tx)}, {@code new AuditRows(tx)}...), so the SQL of a feature lives with
 * that feature and this class knows none of it. Every value is bound as a parameter, never
 * concatenated. A statement that fails becomes {@link UnavailableException}: its SQL error names
 * tables and constraints, so it goes to the log, never to a caller.
 */
public final class Tx {

    private static final Logger LOG = LoggerFactory.getLogger(Tx.class);

    /** Binds a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        Binder NONE = ps -> { };

        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Maps the current row of a result. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final Connection connection;
    private final Map<String, PreparedStatement> statements;
    private final Dialect dialect;
    private final boolean writable;
    /** Rows changed so far in this transaction: the writer tells a real write from a no-op. */
    private long changed;
    /** What units derived from rows of this transaction, by type; forgotten when a unit rolls back. */
    private final Map<Class<?>, Object> remembered = new HashMap<>();
    /** Changes announced so far where no database carries them (SQLite): the writer delivers them after commit. */
    private final List<Change> announced = new ArrayList<>();

    /**
     * @param statements prepared statements kept open across transactions on a long-lived
     *     connection (a writer's), or {@code null} to prepare and close each time
     */
    Tx(Connection connection, Map<String, PreparedStatement> statements, Dialect dialect, boolean writable) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.statements = statements;
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.writable = writable;
    }

    /**
     * Runs read-only work on a worker thread, in a connection of {@code readers} that is closed
     * afterwards. A store failure becomes {@link UnavailableException}; the work's own rejections
     * keep their type.
     *
     * @param markReadOnly whether to mark the connection read-only (a pool may hand out read-only
     *     connections already)
     */
    static <T> Future<T> readOnWorker(Vertx vertx, DataSource readers, Dialect dialect, boolean markReadOnly,
            StoreWork<T> work) {
        return vertx.executeBlocking(() -> {
            try (Connection connection = readers.getConnection()) {
                if (markReadOnly) {
                    connection.setReadOnly(true);
                }
                return work.run(new Tx(connection, null, dialect, false));
            } catch (SQLException e) {
                LOG.warn("store read failed: {}", e.getMessage());
                throw new UnavailableException("the store could not be read", e);
            }
        }, false);
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * The suffix of a {@code SELECT} whose rows this unit may go on to change on the strength of
     * what it read: {@link Dialect#forUpdate()} in a write unit, nothing in a read unit (which
     * changes nothing, so locks nothing).
     */
    public String lockForUpdate() {
        return writable ? dialect.forUpdate() : "";
    }

    /**
     * Waits until this unit alone holds the deployment-wide lock {@code name}, held until the
     * transaction ends: for units that must not interleave with the same unit on another broker
     * although no row exists yet to lock (the first signing keys, the bootstrap admin credential).
     * Nothing to do where the store already serialises units.
     */
    public void exclusive(String name) throws UnavailableException {
        requireWritable();
        if (dialect == Dialect.POSTGRESQL) {
            many("SELECT pg_advisory_xact_lock(?)", ps -> ps.setLong(1, lockKey(name)), rs -> null);
        }
    }

    /**
     * Tells the other brokers sharing the store, once this transaction commits, that what they may
     * hold in memory about {@code topic}/{@code key} changed (see {@link ChangeFeed}). Nothing is
     * sent if the transaction (or the unit) rolls back. The embedded store, which no other broker
     * shares, tells only this broker's own listeners.
     */
    public void announce(String topic, String key) throws UnavailableException {
        requireWritable();
        if (dialect == Dialect.POSTGRESQL) {
            String payload = Change.encode(topic, key);
            many("SELECT pg_notify(?, ?)", ps -> {
                ps.setString(1, ChangeFeed.CHANNEL);
                ps.setString(2, payload);
            }, rs -> null);
        } else {
            announced.add(new Change(topic, key));
        }
    }

    /** How many changes this transaction announced in memory so far (see {@link #announce}). */
    int announcedCount() {
        return announced.size();
    }

    /** Called when a unit rolls back: what it announced did not happen. */
    void dropAnnouncedFrom(int count) {
        announced.subList(count, announced.size()).clear();
    }

    /** What this transaction announced in memory, for the writer to deliver once it committed. */
    List<Change> announced() {
        return List.copyOf(announced);
    }

    private void requireWritable() {
        if (!writable) {
            throw new IllegalStateException("only a write unit takes locks or announces changes");
        }
    }

    /** A stable 64-bit key for a lock name: the same on every broker and every release. */
    static long lockKey(String name) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("stint:" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        return java.nio.ByteBuffer.wrap(digest).getLong();
    }

    /** Whether this is a write unit's transaction; reads may not change anything. */
    public boolean writable() {
        return writable;
    }

    /**
     * Runs an INSERT, UPDATE or DELETE.
     *
     * @return the number of rows changed
     * @throws IllegalStateException in a read-only transaction: a programming error
     */
    public int update(String sql, Binder binder) throws UnavailableException {
        if (!writable) {
            throw new IllegalStateException("a read-only unit cannot change the store");
        }
        try {
            PreparedStatement ps = prepare(sql);
            try {
                binder.bind(ps);
                int rows = ps.executeUpdate();
                changed += rows;
                return rows;
            } finally {
                release(ps);
            }
        } catch (SQLException e) {
            forget(sql);
            LOG.warn("store write failed: {}", e.getMessage());
            throw new UnavailableException("the store could not record this", e);
        }
    }

    /** The first row of a query, if any. */
    public <T> Optional<T> one(String sql, Binder binder, Row<T> row) throws UnavailableException {
        List<T> rows = many(sql, binder, row);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Every row of a query, in the order it returns them; empty when none. */
    public <T> List<T> many(String sql, Binder binder, Row<T> row) throws UnavailableException {
        try {
            PreparedStatement ps = prepare(sql);
            try {
                binder.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                    return out;
                }
            } finally {
                release(ps);
            }
        } catch (SQLException | IllegalArgumentException e) {
            // IllegalArgumentException: a stored value no longer parses (a hostile edit of the file).
            forget(sql);
            LOG.warn("store read failed: {}", e.getMessage());
            throw new UnavailableException("the store could not be read", e);
        }
    }

    long changedRows() {
        return changed;
    }

    /**
     * A value a unit of this transaction derived from rows it read or wrote (the audit chain's
     * head after an append), so that the next unit need not read it again. Sound only because
     * everything that could change those rows runs in this transaction, and because it is
     * forgotten whenever a unit rolls back.
     *
     * @return {@code null} when nothing of that type is remembered
     */
    public <T> T recall(Class<T> type) {
        return type.cast(remembered.get(type));
    }

    /** Remembers {@code value} for later units of this transaction (see {@link #recall}). */
    public <T> void remember(Class<T> type, T value) {
        remembered.put(type, type.cast(value));
    }

    /** Called when a unit rolls back: what it remembered may describe rows that no longer exist. */
    void forgetRemembered() {
        remembered.clear();
    }

    /** A statement that failed is not reused: it is closed and prepared afresh next time. */
    private void forget(String sql) {
        PreparedStatement ps = statements == null ? null : statements.remove(sql);
        if (ps != null) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // Closing a failed statement can fail too; it is dropped either way.
            }
        }
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        if (statements == null) {
            return connection.prepareStatement(sql);
        }
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private void release(PreparedStatement ps) throws SQLException {
        if (statements == null) {
            ps.close();
        } else {
            ps.clearParameters();
        }
    }
}
