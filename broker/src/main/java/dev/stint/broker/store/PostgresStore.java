package dev.stint.broker.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store shared by several brokers: one PostgreSQL database. Reads run concurrently on pooled
 * connections, on Vert.x worker threads. Writes keep what the embedded store promises, for the
 * whole deployment: each broker has one writer that runs its queued units as one transaction
 * (each unit in a savepoint) and commits once (group commit: one synced commit per batch; the
 * server's {@code synchronous_commit} stays on); and every batch first takes one
 * deployment-wide lock ({@code pg_advisory_xact_lock}), so the batches of all brokers run one
 * after another. Check-then-act units are therefore as safe as with one serial writer, the audit
 * chain cannot fork, and writers cannot deadlock one another. The rows a unit acts on are still
 * read {@code FOR UPDATE} ({@link Dialect#POSTGRESQL}) and the audit head under its row lock, so
 * that correctness never rests on the lock alone.
 *
 * <p>A write unit's future completes only after its batch committed. When the database goes away
 * the batch fails (503) and the writer opens a new connection for the next one, so service
 * resumes by itself when the database is back.
 */
public final class PostgresStore implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    /** Taken by every write batch of every broker: the deployment's batches run one at a time. */
    static final String WRITER_LOCK = "writer";
    /** How long a request waits for a pooled connection before it is told the store is unavailable. */
    static final long CONNECTION_TIMEOUT_MS = 2_000;
    /** How long a statement may go without an answer from the server before its connection is given up. */
    static final java.time.Duration SOCKET_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final Vertx vertx;
    private final HikariDataSource pool;
    private final GroupCommitWriter writer;
    private final PostgresChangeFeed changes;
    private volatile boolean closed;

    private PostgresStore(Vertx vertx, HikariDataSource pool, GroupCommitWriter writer) {
        this.vertx = vertx;
        this.pool = pool;
        this.writer = writer;
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

    /**
     * Opens (migrating when needed) the store in the database at {@code jdbcUrl}, connecting with
     * {@code properties} ({@code user}, {@code password}, {@code sslmode}...): values stay out of
     * the URL, so none of them can add a parameter to it.
     */
    public static PostgresStore open(Vertx vertx, String jdbcUrl, java.util.Properties properties, int poolSize)
            throws UnavailableException {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        java.util.Properties connect = new java.util.Properties();
        // A database that stops answering without closing the connection (a partition, a frozen
        // host) must not hold a request, or the writer, until TCP gives up many minutes later.
        // The bound is far above any wait a healthy deployment has (the writer lock, a long read).
        connect.setProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        connect.setProperty("connectTimeout", "5");
        connect.setProperty("tcpKeepAlive", "true");
        connect.setProperty("ApplicationName", "stint-broker");
        connect.putAll(properties);
        config.setDataSourceProperties(connect);
        return open(vertx, config, jdbcUrl, poolSize, properties.getProperty("password"));
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
        // Beyond the readers' connections: the writer's and the one the change feed listens on.
        config.setMaximumPoolSize(poolSize + 2);
        config.setAutoCommit(true);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        HikariDataSource pool = null;
        try {
            pool = new HikariDataSource(config);
            Migrations.migrate(pool, "classpath:db/migration/postgresql", where);
            HikariDataSource connections = pool;
            GroupCommitWriter writer = new GroupCommitWriter(connections::getConnection, Dialect.POSTGRESQL,
                    "SELECT pg_advisory_xact_lock(" + Tx.lockKey(WRITER_LOCK) + ")", "stint-store-writer");
            PostgresStore store = new PostgresStore(vertx, pool, writer);
            store.changes.start();
            store.changes.awaitFirstAttempt(java.time.Duration.ofSeconds(5));
            return store;
        } catch (UnavailableException e) {
            pool.close();
            throw e;
        } catch (SQLException | RuntimeException e) {
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
        return writer.write(vertx, work);
    }

    @Override
    public Optional<String> writeFailure() {
        if (closed || pool.isClosed()) {
            return Optional.of("the store is closed");
        }
        return writer.failing();
    }

    @Override
    public ChangeFeed changes() {
        return changes;
    }

    @Override
    public boolean leadsSweeps() {
        return !closed && changes.leadsSweeps();
    }

    /** Whether this broker hears the announcements of the others now (they also expire within a second). */
    public boolean hearsOtherBrokers() {
        return changes.listening();
    }

    @Override
    public void close() {
        closed = true;
        changes.close();
        writer.close();
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
