package dev.stint.broker.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store shared by several brokers: one PostgreSQL database. Units run concurrently, each in its
 * own READ COMMITTED transaction on a pooled connection, on a Vert.x worker thread (the write
 * units of one Vert.x context one after another, in the order submitted). What the
 * embedded store gets from its single writer this one gets from the database: the rows a write
 * unit acts on are read {@code FOR UPDATE} ({@link Dialect#POSTGRESQL}), conflicting inserts meet
 * unique keys, and appends to the audit chain take one row lock ({@code audit_head}, see
 * {@code AuditRows}) so that two brokers never append the same sequence number.
 *
 * <p>A write unit's future completes only after its transaction committed (PostgreSQL syncs the
 * commit before it answers). A unit the database aborted as a deadlock or serialization failure
 * (SQLState 40P01 / 40001) changed nothing and is run again, a few times at most: units are
 * functions of what they read, and read it afresh in the new transaction.
 */
public final class PostgresStore implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    /** Runs of one unit when the database aborts it as a deadlock or serialization failure. */
    static final int ATTEMPTS = 5;

    private final Vertx vertx;
    private final HikariDataSource pool;
    /** Where the write units of callers outside Vert.x run, in the order they were submitted. */
    private final Context ownContext;
    private final PostgresChangeFeed changes;
    private volatile boolean closed;
    /** Why the last write could not reach the database or commit; {@code null} after a commit. */
    private volatile String writeFailure;

    private PostgresStore(Vertx vertx, HikariDataSource pool) {
        this.vertx = vertx;
        this.pool = pool;
        this.ownContext = vertx.getOrCreateContext();
        this.changes = new PostgresChangeFeed(pool);
    }

    /**
     * Opens (migrating when needed) the store in the database at {@code jdbcUrl}. Blocking: call it
     * from a worker thread or before deploying.
     *
     * @throws UnavailableException when the database cannot be reached or migrated; its message
     *     names the database, never the password
     */
    public static PostgresStore open(Vertx vertx, String jdbcUrl, String user, String password, int poolSize)
            throws UnavailableException {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        // Parameters of the URL may carry credentials: only what precedes them is named.
        int query = jdbcUrl.indexOf('?');
        return open(vertx, config, query < 0 ? jdbcUrl : jdbcUrl.substring(0, query), poolSize, password);
    }

    /** Opens the store in the database {@code dataSource} connects to (see {@link #open(Vertx, String, String, String, int)}). */
    public static PostgresStore open(Vertx vertx, DataSource dataSource, int poolSize) throws UnavailableException {
        Objects.requireNonNull(dataSource, "dataSource");
        HikariConfig config = new HikariConfig();
        config.setDataSource(dataSource);
        return open(vertx, config, "the configured data source", poolSize, null);
    }

    private static PostgresStore open(Vertx vertx, HikariConfig config, String where, int poolSize, String secret)
            throws UnavailableException {
        Objects.requireNonNull(vertx, "vertx");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1");
        }
        config.setPoolName("stint-store-postgresql");
        // One more connection than units may use: the change feed holds one to LISTEN on.
        config.setMaximumPoolSize(poolSize + 1);
        config.setAutoCommit(true);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setConnectionTimeout(10_000);
        HikariDataSource pool = null;
        try {
            pool = new HikariDataSource(config);
            Migrations.migrate(pool, "classpath:db/migration/postgresql", where);
            PostgresStore store = new PostgresStore(vertx, pool);
            store.changes.start();
            return store;
        } catch (UnavailableException e) {
            pool.close();
            throw e;
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw new UnavailableException("cannot open the PostgreSQL store at " + where + ": "
                    + redact(rootMessage(e), secret), e);
        }
    }

    @Override
    public <T> Future<T> read(StoreWork<T> work) {
        if (closed) {
            return Future.failedFuture(new UnavailableException("the store is closed"));
        }
        return Tx.readOnWorker(vertx, pool, Dialect.POSTGRESQL, true, work);
    }

    @Override
    public <T> Future<T> write(StoreWork<T> work) {
        if (closed) {
            return Future.failedFuture(new UnavailableException("the store is closed"));
        }
        // Ordered: the units one caller (one Vert.x context) submits commit in the order it
        // submitted them, as with the embedded store's single writer; units of other contexts,
        // and of other brokers, run concurrently and meet only on row locks. Nearly every write
        // appends to the audit chain and so waits for the audit_head lock anyway: ordering per
        // context costs little concurrency. Callers outside Vert.x share the store's own context.
        Context caller = Vertx.currentContext();
        Context context = caller != null && caller.owner() == vertx ? caller : ownContext;
        return context.executeBlocking(() -> runWrite(work), true);
    }

    /** Runs {@code work} in its own transaction, again when the database aborted it as a deadlock. */
    private <T> T runWrite(StoreWork<T> work) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Connection connection;
            try {
                connection = pool.getConnection();
            } catch (SQLException e) {
                writeFailure = "the database cannot be reached";
                LOG.warn("store write failed: {}", e.getMessage());
                throw new UnavailableException("the store could not record this", e);
            }
            try (connection) {
                connection.setAutoCommit(false);
                T result;
                try {
                    result = work.run(new Tx(connection, null, Dialect.POSTGRESQL, true));
                } catch (Exception | Error e) {
                    rollback(connection);
                    if (retryable(e) && attempt < ATTEMPTS) {
                        backOff(attempt);
                        continue;
                    }
                    throw e;
                }
                try {
                    connection.commit();
                } catch (SQLException e) {
                    rollback(connection);
                    if (retryable(e) && attempt < ATTEMPTS) {
                        backOff(attempt);
                        continue;
                    }
                    writeFailure = "the last commit failed";
                    LOG.warn("store commit failed: {}", e.getMessage());
                    throw new UnavailableException("the store could not record this", e);
                }
                writeFailure = null;
                return result;
            } catch (SQLException e) {
                // Setting up the transaction or closing the connection failed.
                LOG.warn("store write failed: {}", e.getMessage());
                throw new UnavailableException("the store could not record this", e);
            }
        }
    }

    /** Whether {@code failure} (or a cause of it) is a deadlock or serialization failure. */
    static boolean retryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L * attempt + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("store rollback failed: {}", e.getMessage());
        }
    }

    @Override
    public Optional<String> writeFailure() {
        if (closed || pool.isClosed()) {
            return Optional.of("the store is closed");
        }
        return Optional.ofNullable(writeFailure);
    }

    @Override
    public ChangeFeed changes() {
        return changes;
    }

    /** Whether this broker hears the announcements of the others now (they also expire within a second). */
    public boolean hearsOtherBrokers() {
        return changes.listening();
    }

    @Override
    public void close() {
        closed = true;
        changes.close();
        pool.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static String redact(String message, String secret) {
        if (secret == null || secret.isEmpty()) {
            return message;
        }
        return message.replace(secret, "***");
    }
}
