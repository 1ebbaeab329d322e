package dev.stint.broker.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announcements of every broker sharing one PostgreSQL store, received with {@code LISTEN} on a
 * connection of this feed's own thread (never an event loop). When the connection breaks the feed
 * reconnects by itself and then tells its listeners {@link Change#EVERYTHING}: whatever was
 * announced meanwhile is lost, so every cached hint goes.
 *
 * <p>The same session tries, while it lives, to hold the deployment's sweep lock (a session-level
 * {@code pg_try_advisory_lock}): the broker that holds it runs the sweeps. The server releases it
 * when that broker's connection ends, however it ends, and the next broker to try takes it.
 */
final class PostgresChangeFeed implements ChangeFeed, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeFeed.class);
    /** How long one wait for notifications lasts; also how soon {@link #close()} is noticed. */
    private static final int POLL_MS = 250;
    static final String APPLICATION_NAME = "stint-changes";
    private static final long MAX_BACKOFF_MS = 5_000;

    private final HikariDataSource source;
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean listening;
    private volatile boolean leadsSweeps;
    /** Counted down once the feed first listened and tried the sweep lock (or failed to connect). */
    private final java.util.concurrent.CountDownLatch firstAttempt = new java.util.concurrent.CountDownLatch(1);
    private final long sweepLockKey = Tx.lockKey("sweeps");

    PostgresChangeFeed(HikariDataSource source) {
        this.source = source;
        this.thread = new Thread(this::run, "stint-store-changes");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void subscribe(Consumer<Change> listener) {
        listeners.add(listener);
    }

    /** Whether the feed is connected and listening now. */
    boolean listening() {
        return listening;
    }

    private void run() {
        long backoff = 100;
        boolean missed = false;
        while (!closed) {
            Connection connection = null;
            try {
                connection = source.getConnection();
                listen(connection, missed);
                backoff = 100;
            } catch (SQLException | RuntimeException e) {
                boolean wasListening = listening;
                listening = false;
                leadsSweeps = false;
                if (closed) {
                    break;
                }
                if (wasListening || !missed) {
                    LOG.warn("not listening for changes of other brokers (cached hints expire within a second"
                            + " meanwhile); reconnecting: {}", e.getMessage());
                }
                missed = true;
                firstAttempt.countDown();
                deliver(Change.EVERYTHING);
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            } finally {
                listening = false;
                leadsSweeps = false;
                if (connection != null) {
                    // LISTEN and the sweep lock belong to the session: end it, never hand it back to the pool.
                    source.evictConnection(connection);
                }
            }
        }
    }

    /** Listens until the feed is closed or the connection fails. */
    private void listen(Connection connection, boolean missed) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement listen = connection.createStatement()) {
            // Named, so that an operator looking at pg_stat_activity sees what this session is.
            listen.execute("SET application_name = '" + APPLICATION_NAME + "'");
            listen.execute("LISTEN " + CHANNEL);
        }
        PGConnection pg = connection.unwrap(PGConnection.class);
        listening = true;
        if (missed) {
            LOG.info("listening for changes of other brokers again");
            deliver(Change.EVERYTHING);
        }
        while (!closed) {
            if (!leadsSweeps) {
                leadsSweeps = trySweepLock(connection);
            }
            firstAttempt.countDown();
            PGNotification[] notifications = pg.getNotifications(POLL_MS);
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    deliver(Change.decode(n.getParameter()));
                }
            }
        }
    }

    /**
     * Waits (a bounded time) until the feed listened and tried the sweep lock once, so that a
     * broker that starts alone sweeps before it serves, and hears the others from the start.
     */
    void awaitFirstAttempt(java.time.Duration bound) {
        try {
            firstAttempt.await(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether this broker holds the sweep lock (on the feed's session) now. */
    boolean leadsSweeps() {
        return leadsSweeps;
    }

    private boolean trySweepLock(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + sweepLockKey + ")")) {
            boolean got = rs.next() && rs.getBoolean(1);
            if (got) {
                LOG.info("this broker runs the sweeps of the deployment now");
            }
            return got;
        }
    }

    private void deliver(Change change) {
        for (Consumer<Change> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("a listener failed on change {}: {}", change.topic(), e.getMessage());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
