package dev.stint.broker.store;

import java.util.Optional;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a store (of one broker, for a shared store). Units of work queue up; the
 * writer runs everything queued as one transaction, each unit inside its own savepoint, and
 * commits once. One synced commit then makes a whole batch durable (group commit), so throughput
 * does not stop at one disk sync per request. A unit that throws is rolled back to its savepoint
 * alone; a failed commit fails every unit of the batch. Results are delivered only after the
 * commit. A connection that broke is replaced at the next batch, so the writer recovers by itself
 * when its database comes back.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_BATCH = 512;
    /** Each unit runs inside this savepoint, so that a unit that fails is undone alone. */
    private static final String SAVEPOINT = "SAVEPOINT stint_unit";
    private static final String RELEASE = "RELEASE stint_unit";
    private static final String ROLLBACK_TO = "ROLLBACK TO stint_unit";
    /** Work waiting beyond this is refused at once (503) rather than queued without bound. */
    static final int MAX_QUEUED = 20_000;

    private record Job<T>(StoreWork<T> work, Handler<AsyncResult<T>> done) {
    }

    private record Outcome(Job<?> job, Object value, Throwable failure) {
    }

    /** Opens the writer's connection, at start and again after it broke. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final ConnectionSource source;
    private final Dialect dialect;
    /** Run first in every batch's transaction (a deployment-wide lock), or {@code null}. */
    private final String batchStart;
    /** The writer thread's connection; {@code null} while there is none. */
    private Connection connection;
    /** Statements prepared once on the writer's connection: confined to the writer thread. */
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread thread;
    private volatile boolean closed;
    /** Why recent writes failed; {@code null} while the last write that changed anything committed. */
    private volatile String failing;
    /** Hears, after each commit, the changes its units announced in memory (see {@link Tx#announce}). */
    private final Consumer<Change> announced;

    GroupCommitWriter(Connection connection, String name, Consumer<Change> announced) throws SQLException {
        this(() -> connection, Dialect.SQLITE, null, name, announced);
    }

    GroupCommitWriter(ConnectionSource source, Dialect dialect, String batchStart, String name) throws SQLException {
        this(source, dialect, batchStart, name, change -> { });
    }

    /**
     * @param batchStart SQL run at the start of every batch's transaction, before any unit, or {@code null}
     * @param announced called on the writer thread (so it must not block) with each change a committed
     *     unit announced in memory
     * @throws SQLException when the first connection cannot be opened
     */
    private GroupCommitWriter(ConnectionSource source, Dialect dialect, String batchStart, String name,
            Consumer<Change> announced) throws SQLException {
        this.source = source;
        this.announced = announced;
        this.dialect = dialect;
        this.batchStart = batchStart;
        this.connection = source.open();
        connection.setAutoCommit(false);
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code work}; its future completes on the caller's Vert.x context once its batch committed. */
    <T> Future<T> write(Vertx vertx, StoreWork<T> work) {
        Context context = vertx.getOrCreateContext();
        Promise<T> promise = Promise.promise();
        submit(work, result -> context.runOnContext(v -> promise.handle(result)));
        return promise.future();
    }

    <T> void submit(StoreWork<T> work, Handler<AsyncResult<T>> done) {
        if (closed || !thread.isAlive()) {
            done.handle(Future.failedFuture(new UnavailableException("the store writer is not running")));
            return;
        }
        if (!queue.offer(new Job<>(work, done))) {
            done.handle(Future.failedFuture(new UnavailableException("the store is overloaded")));
        }
    }

    /**
     * Why work submitted now is not expected to be done: the writer is not running, its queue is
     * full, or writes are failing (the last commit failed, or a unit failed in the store since the
     * last unit that changed rows committed). Empty while none of these holds; a writer that merely
     * answers reads is not enough.
     */
    Optional<String> failing() {
        if (closed || !thread.isAlive()) {
            return Optional.of("the store writer is not running");
        }
        if (queue.remainingCapacity() == 0) {
            return Optional.of("the store writer's queue is full");
        }
        return Optional.ofNullable(failing);
    }

    private void loop() {
        List<Job<?>> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Job<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable e) {
                // Whatever happened, no unit of this batch is left waiting, and the writer goes on.
                LOG.error("store writer failed a batch of {} unit(s)", batch.size(), e);
                failAll(batch, new SQLException("the store writer failed: " + e.getClass().getSimpleName()));
            } finally {
                batch.clear();
            }
        }
        for (Job<?> job : queue) {
            job.done().handle(Future.failedFuture(new UnavailableException("store is closed")));
        }
    }

    private void runBatch(List<Job<?>> batch) {
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        try {
            if (connection == null) {
                connection = source.open();
                connection.setAutoCommit(false);
                LOG.info("store writer connected again");
            }
            if (batchStart != null) {
                run(batchStart);
            }
        } catch (SQLException e) {
            failAll(batch, e);
            return;
        }
        Tx tx = new Tx(connection, statements, dialect, true);
        boolean wrote = false;
        boolean storeFailed = false;
        for (Job<?> job : batch) {
            boolean savepoint = false;
            long changedBefore = tx.changedRows();
            int announcedBefore = tx.announcedCount();
            try {
                run(SAVEPOINT);
                savepoint = true;
                Object value = job.work().run(tx);
                run(RELEASE);
                outcomes.add(new Outcome(job, value, null));
                wrote |= tx.changedRows() > changedBefore;
            } catch (Exception e) {
                Throwable failure = e instanceof SQLException
                        ? new UnavailableException("the store could not record this", e) : e;
                storeFailed |= failure instanceof UnavailableException;
                try {
                    if (savepoint) {
                        run(ROLLBACK_TO);
                        tx.forgetRemembered();
                        tx.dropAnnouncedFrom(announcedBefore);
                        run(RELEASE);
                    }
                } catch (SQLException rollbackFailure) {
                    failAll(batch, rollbackFailure);
                    return;
                }
                outcomes.add(new Outcome(job, null, failure));
            }
        }
        try {
            connection.commit();
        } catch (SQLException e) {
            failAll(batch, e);
            return;
        }
        if (wrote) {
            failing = null;
        } else if (storeFailed) {
            failing = "writes to the store are failing";
        }
        // Before the outcomes: whoever caches hears of a change before its author sees it done.
        for (Change change : tx.announced()) {
            try {
                announced.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("a listener failed on change {}: {}", change.topic(), e.getMessage());
            }
        }
        for (Outcome outcome : outcomes) {
            deliver(outcome);
        }
    }

    /**
     * Runs one of the savepoint statements, prepared once: the driver's own savepoint calls
     * format and prepare a new statement for every unit.
     */
    private void run(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        ps.execute();
    }

    private void failAll(List<Job<?>> batch, SQLException cause) {
        failing = "the store could not commit";
        LOG.error("store commit failed; {} unit(s) rolled back: {}", batch.size(), cause.getMessage());
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // The connection is already unusable; every unit below is reported as failed.
            }
            dropBrokenConnection();
        }
        for (Job<?> job : batch) {
            job.done().handle(Future.failedFuture(new UnavailableException("the store could not commit", cause)));
        }
    }

    /** Closes the connection if it no longer answers, so that the next batch opens a new one. */
    private void dropBrokenConnection() {
        boolean valid;
        try {
            valid = connection.isValid(2);
        } catch (SQLException e) {
            valid = false;
        }
        if (valid) {
            return;
        }
        closeStatements();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // It is broken already; it is dropped either way.
        }
        connection = null;
    }

    private void closeStatements() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // A statement of a broken connection; dropped either way.
            }
        }
        statements.clear();
    }

    @SuppressWarnings("unchecked")
    private static void deliver(Outcome outcome) {
        Handler<AsyncResult<Object>> done = (Handler<AsyncResult<Object>>) (Handler<?>) outcome.job().done();
        done.handle(outcome.failure() == null
                ? Future.succeededFuture(outcome.value())
                : Future.failedFuture(outcome.failure()));
    }

    /** Finishes what is queued, then closes the connection (SQLite then folds its log into the file). */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the store writer did not finish in time; closing its connection under it");
        }
        closeStatements();
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.warn("closing the store writer failed; the log is replayed at next start: {}", e.getMessage());
        }
    }
}
