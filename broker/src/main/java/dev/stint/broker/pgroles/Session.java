package dev.stint.broker.pgroles;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * One admin connection for one operation, run as short transactions, each bounded inside the
 * server by {@code statement_timeout} and {@code lock_timeout} set for that transaction only (so a
 * pooled connection goes back unchanged). Every failure becomes a
 * {@link PostgresUnavailableException} naming the step, after the transaction is rolled back.
 */
final class Session implements AutoCloseable {

    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(5);
    /** SQLSTATE of PostgreSQL's "no privileges were granted" and "not all privileges were granted". */
    private static final String NOT_GRANTED = "01007";

    /** Sets a bind parameter. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Reads one row. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final Connection connection;
    private final Failures failures;
    private final String action;
    private String secret;
    private boolean inTransaction;

    private Session(Connection connection, Failures failures, String action) {
        this.connection = connection;
        this.failures = failures;
        this.action = action;
    }

    /** Opens a connection and starts the first transaction. */
    static Session open(ConnectionSource source, Failures failures, String action) throws PostgresUnavailableException {
        Connection connection;
        try {
            connection = source.open();
        } catch (SQLException e) {
            throw failures.of(action, Step.CONNECT, e, null);
        }
        if (connection == null) {
            throw failures.unavailable(action, "the connection source gave no connection");
        }
        Session session = new Session(connection, failures, action);
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            session.close();
            throw failures.of(action, Step.CONNECT, e, null);
        }
        return session;
    }

    /** A value to scrub from every reason from now on (the password being set). */
    void hide(String value) {
        this.secret = value;
    }

    String action() {
        return action;
    }

    PGConnection pg() throws PostgresUnavailableException {
        try {
            return connection.unwrap(PGConnection.class);
        } catch (SQLException e) {
            throw failures.unavailable(action, "the connection is not a PostgreSQL (pgjdbc) connection");
        }
    }

    /**
     * Runs one statement. A GRANT that the admin user may only partly give succeeds in PostgreSQL
     * with a warning (01007, "not all privileges were granted"): here it fails, so that a login
     * never silently holds less than the policy says.
     */
    void execute(Step step, String sql) throws PostgresUnavailableException {
        begin(step);
        String notGranted = null;
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
            for (SQLWarning w = statement.getWarnings(); w != null && notGranted == null; w = w.getNextWarning()) {
                if (NOT_GRANTED.equals(w.getSQLState())) {
                    notGranted = Failures.clean(String.valueOf(w.getMessage()), secret);
                }
            }
        } catch (SQLException e) {
            throw failed(step, e);
        }
        if (notGranted != null) {
            rollbackQuietly();
            throw failures.misconfigured(action, "the admin user lacks " + step.needs() + " (" + notGranted + ")");
        }
    }

    /**
     * Runs {@code sql} unless the role it acts on is gone, e.g. dropped by another broker's sweep
     * since it was looked up: then the transaction is rolled back, a new one begun, and false
     * returned, for the caller to go on to its verification.
     */
    boolean executeIfRoleExists(Step step, String sql) throws PostgresUnavailableException {
        begin(step);
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
            return true;
        } catch (SQLException e) {
            if (!hasState(e, "42704")) {
                throw failed(step, e);
            }
        }
        rollback(step);
        return false;
    }

    /** Runs work that talks to the driver directly, under the same failure rules. */
    void run(Step step, SqlWork work) throws PostgresUnavailableException {
        begin(step);
        try {
            work.run();
        } catch (SQLException e) {
            throw failed(step, e);
        }
    }

    /** Driver calls that are not one statement. */
    @FunctionalInterface
    interface SqlWork {
        void run() throws SQLException;
    }

    <T> List<T> query(Step step, String sql, Binder binder, RowReader<T> reader) throws PostgresUnavailableException {
        begin(step);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            List<T> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(reader.read(result));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed(step, e);
        }
    }

    Array textArray(List<String> values) throws PostgresUnavailableException {
        try {
            return connection.createArrayOf("text", values.toArray());
        } catch (SQLException e) {
            throw failed(Step.CONNECT, e);
        }
    }

    /** Commits; the next statement starts a new transaction. */
    void commit(Step step) throws PostgresUnavailableException {
        try {
            connection.commit();
            inTransaction = false;
        } catch (SQLException e) {
            throw failed(step, e);
        }
    }

    /** Rolls back; the next statement starts a new transaction. */
    void rollback(Step step) throws PostgresUnavailableException {
        try {
            connection.rollback();
            inTransaction = false;
        } catch (SQLException e) {
            throw failed(step, e);
        }
    }

    private static boolean hasState(SQLException e, String state) {
        return state.equals(e.getSQLState());
    }

    /** Starts a transaction, bounded in the server, unless one is open. */
    private void begin(Step step) throws PostgresUnavailableException {
        if (inTransaction) {
            return;
        }
        inTransaction = true;
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true)")) {
            statement.setString(1, STATEMENT_TIMEOUT.toMillis() + "ms");
            statement.setString(2, LOCK_TIMEOUT.toMillis() + "ms");
            statement.execute();
        } catch (SQLException e) {
            throw failed(step, e);
        }
    }

    private PostgresUnavailableException failed(Step step, SQLException e) {
        rollbackQuietly();
        return failures.of(action, step, e, secret);
    }

    private void rollbackQuietly() {
        inTransaction = false;
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The connection is broken or gone; the transaction dies with it.
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Nothing is pending: every transaction was committed or rolled back.
        }
    }
}
