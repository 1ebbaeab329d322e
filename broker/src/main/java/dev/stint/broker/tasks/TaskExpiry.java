package dev.stint.broker.tasks;

import dev.stint.broker.auth.AssertionRows;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.TokenRows;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Closes tasks whose deadline has passed, active or still pending approval: the {@link TaskEnder}
 * marks them expired, revokes what they were issued and records it. Requests already treat such
 * tasks as expired on read; the sweep makes it durable and loud. Also forgets used assertion ids
 * and long-expired token records.
 */
public final class TaskExpiry {

    static final int BATCH = 200;

    private final Store store;
    private final TaskEnder ender;
    private final Clock clock;
    private final Purge more;

    /** Other rows that are only kept until they expire, forgotten in the same unit as the sweep. */
    @FunctionalInterface
    public interface Purge {
        Purge NONE = (tx, now) -> { };

        void purge(Tx tx, Instant now) throws UnavailableException;
    }

    public TaskExpiry(Store store, TaskEnder ender, Clock clock) {
        this(store, ender, clock, Purge.NONE);
    }

    public TaskExpiry(Store store, TaskEnder ender, Clock clock, Purge more) {
        this.store = Objects.requireNonNull(store, "store");
        this.ender = Objects.requireNonNull(ender, "ender");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.more = Objects.requireNonNull(more, "more");
    }

    /** @return how many tasks were expired by this sweep */
    public Future<Integer> sweep() {
        if (!store.leadsSweeps()) {
            return Future.succeededFuture(0);
        }
        Instant now = clock.instant();
        return store.write(tx -> {
            int expired = 0;
            for (Task task : new TaskRows(tx).openDueBy(now, BATCH)) {
                if (ender.end(tx, task, TaskEnder.Ending.deadlinePassed(task, "system", "task.expire"), now)) {
                    expired++;
                }
            }
            new AssertionRows(tx).purgeExpired(now);
            new TokenRows(tx).purgeExpired(now);
            more.purge(tx, now);
            return expired;
        });
    }
}
