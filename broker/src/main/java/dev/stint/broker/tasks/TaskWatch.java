package dev.stint.broker.tasks;

import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Change;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Holds reads of a pending task until its status changes ({@code GET /v1/tasks/{id}?wait=N}), so
 * that an agent waiting for people to approve asks once per wait instead of polling. A held read
 * is woken by the store's change feed (announcements of that task by this broker or another one
 * sharing the store) and, because the feed may lose an announcement, also re-reads its task every
 * {@code recheck}: a lost announcement only delays an answer by that much, and nothing reads the
 * store more often. At most {@code maxHeld} reads are held at once; one more is refused with
 * {@link UnavailableException} (503 with Retry-After).
 *
 * <p>Thread-safe. A held read lives on the Vert.x context that started it (its timers and
 * re-reads run there); {@link #onChange} may be called from any thread and never blocks.
 */
public final class TaskWatch {

    /** The longest wait a request may ask for. */
    public static final int MAX_WAIT_SECONDS = 30;
    public static final int DEFAULT_MAX_HELD = 1_000;
    /**
     * The safety net's period: each held read re-reads its task this often. Measured with
     * bench/run-waits.sh: 900 reads held (450 re-reads a second) left the mint path's throughput
     * at 0.99 of the same broker's without them.
     */
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(2);

    /** A held read: its answer, and a way to let it go when nobody is left to answer. */
    public interface Held {

        /**
         * The task as last read: changed, or as it was when the wait ended. Fails with the
         * rejection a re-read met (the task is gone, the caller may no longer read it); a store
         * that cannot be read meanwhile only means the last read is answered.
         */
        Future<Task> answer();

        /** Stops waiting (the client went away): timers and listener go, the answer never comes. */
        void cancel();
    }

    private final Vertx vertx;
    private final int maxHeld;
    private final Duration longestHold;
    private final Duration recheck;
    private final Clock clock;
    private final AtomicInteger held = new AtomicInteger();
    /** Held reads by {@link TaskRows#changeKey}. */
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

    /**
     * @param longestHold no read is held longer, whatever it asked (so that the HTTP server's idle
     *     timeout never cuts one; see {@link #longestHoldWithin})
     * @param recheck how often a held read re-reads its task when no announcement woke it
     */
    public TaskWatch(Vertx vertx, int maxHeld, Duration longestHold, Duration recheck, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be at least 1");
        }
        this.maxHeld = maxHeld;
        this.longestHold = requirePositive(longestHold, "longestHold");
        this.recheck = requirePositive(recheck, "recheck");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The longest a read may be held on a connection closed after {@code idleTimeout} without
     * traffic: five sixths of it, so the answer leaves well before the connection would be cut.
     */
    public static Duration longestHoldWithin(Duration idleTimeout) {
        return idleTimeout.minus(idleTimeout.dividedBy(6));
    }

    /**
     * Holds a read of {@code seen} until its status as of now differs from {@code seen}'s, or
     * {@code upTo} (cut at the longest hold) has passed. Call it on the request's context.
     *
     * @param reread reads the task again, as the caller may read it
     * @return the held read; its answer fails with {@link UnavailableException} at once when
     *     {@code maxHeld} reads are held already
     */
    public Held hold(Task seen, Duration upTo, Supplier<Future<Task>> reread) {
        Objects.requireNonNull(seen, "seen");
        Objects.requireNonNull(reread, "reread");
        if (held.incrementAndGet() > maxHeld) {
            held.decrementAndGet();
            Future<Task> refused = Future.failedFuture(new UnavailableException("this broker holds " + maxHeld
                    + " waiting reads already; ask again without waiting, or wait later"));
            return new Held() {
                @Override
                public Future<Task> answer() {
                    return refused;
                }

                @Override
                public void cancel() {
                }
            };
        }
        Waiter waiter = new Waiter(seen, reread);
        waiters.compute(waiter.key, (k, set) -> {
            Set<Waiter> all = set == null ? ConcurrentHashMap.newKeySet() : set;
            all.add(waiter);
            return all;
        });
        waiter.start(upTo.compareTo(longestHold) < 0 ? upTo : longestHold);
        return waiter;
    }

    /**
     * Wakes the reads held on the task a change names. {@link Change#EVERYTHING} wakes none at
     * once: each re-reads within {@code recheck} anyway, and waking every one together would
     * only queue their reads at the store.
     */
    public void onChange(Change change) {
        if (!TaskRows.CHANGES.equals(change.topic())) {
            return;
        }
        Set<Waiter> woken = waiters.get(change.key());
        if (woken != null) {
            woken.forEach(Waiter::wake);
        }
    }

    private final class Waiter implements Held {

        private final String key;
        private final TaskStatus from;
        private final Supplier<Future<Task>> reread;
        private final Context context;
        private final Promise<Task> answer = Promise.promise();
        // Confined to the context.
        private Task last;
        private long endTimer = -1;
        private long recheckTimer = -1;
        private boolean reading;
        private boolean readAgain;
        private boolean over;

        Waiter(Task seen, Supplier<Future<Task>> reread) {
            this.key = TaskRows.changeKey(seen.agentId(), seen.id());
            this.from = seen.statusAt(clock.instant());
            this.reread = reread;
            this.context = vertx.getOrCreateContext();
            this.last = seen;
        }

        void start(Duration upTo) {
            endTimer = vertx.setTimer(Math.max(1, upTo.toMillis()), id -> end(last));
            recheckTimer = vertx.setPeriodic(Math.max(1, recheck.toMillis()), id -> check());
        }

        void wake() {
            context.runOnContext(v -> check());
        }

        private void check() {
            if (over) {
                return;
            }
            if (reading) {
                // A change arrived while a read was under way: read once more when it is done.
                readAgain = true;
                return;
            }
            reading = true;
            reread.get().onComplete(result -> {
                reading = false;
                if (over) {
                    return;
                }
                if (result.succeeded()) {
                    last = result.result();
                    if (last.statusAt(clock.instant()) != from) {
                        end(last);
                        return;
                    }
                } else if (result.cause() instanceof RejectedException) {
                    release();
                    answer.fail(result.cause());
                    return;
                }
                // A store that cannot be read now: the next check or the end of the wait answers.
                if (readAgain) {
                    readAgain = false;
                    check();
                }
            });
        }

        private void end(Task task) {
            if (!over) {
                release();
                answer.complete(task);
            }
        }

        @Override
        public Future<Task> answer() {
            return answer.future();
        }

        @Override
        public void cancel() {
            if (Vertx.currentContext() == context) {
                release();
            } else {
                context.runOnContext(v -> release());
            }
        }

        private void release() {
            if (over) {
                return;
            }
            over = true;
            vertx.cancelTimer(endTimer);
            vertx.cancelTimer(recheckTimer);
            waiters.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            held.decrementAndGet();
        }
    }

    private static Duration requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }
}
