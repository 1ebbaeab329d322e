package dev.stint.broker.tasks;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.policy.FreezeInForce;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.store.Store;
import dev.stint.broker.store.Tx;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ends the live tasks a freeze catches. Opening and minting already refuse a frozen action; this
 * covers the tasks opened before the freeze started: while a freeze is in force, every active task
 * of one of its tiers that holds a scope whose action it denies is ended through the
 * {@link TaskEnder} (tokens revoked, database leases marked revoking, an audit record with the
 * freeze's reason), except those approved as break-glass by at least as many people as a freeze
 * that allows break-glass asks. Pending tasks are left alone, and so are tasks past their deadline, which the
 * expiry sweep closes as expired. It asks the policy in force at each sweep, so a reload that adds
 * a freeze in force now ends what it catches at the next sweep.
 */
public final class FreezeSweep {

    /** Tasks ended per store unit: a sweep takes the writer in short turns, however many a freeze catches. */
    static final int BATCH = 200;
    /** The most break-glass tasks one freeze's check reads in a unit. */
    static final int BROKEN_GLASS_READ = 10_000;

    private final Store store;
    private final TaskEnder ender;
    private final Policy policy;
    private final Clock clock;

    public FreezeSweep(Store store, TaskEnder ender, Policy policy, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.ender = Objects.requireNonNull(ender, "ender");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return how many tasks this sweep ended; 0 on a broker that does not lead the sweeps */
    public Future<Integer> sweep() {
        if (!store.leadsSweeps()) {
            return Future.succeededFuture(0);
        }
        Instant now = clock.instant();
        List<FreezeInForce> freezes = policy.freezesInForce(now);
        if (freezes.isEmpty()) {
            return Future.succeededFuture(0);
        }
        return batches(freezes, now, 0);
    }

    /** One unit after another while each ends a full batch: every one ends tasks the next will not find. */
    private Future<Integer> batches(List<FreezeInForce> freezes, Instant now, int endedBefore) {
        return store.write(tx -> endCaught(tx, freezes, now)).compose(ended -> ended == BATCH
                ? batches(freezes, now, endedBefore + ended)
                : Future.succeededFuture(endedBefore + ended));
    }

    private int endCaught(Tx tx, List<FreezeInForce> freezes, Instant now) throws UnavailableException {
        TaskRows rows = new TaskRows(tx);
        int ended = 0;
        for (FreezeInForce freeze : freezes) {
            if (ended == BATCH) {
                break;
            }
            List<Task> caught = new ArrayList<>(rows.activeHolding(freeze.tiers(), freeze.deny(), now,
                    freeze.hasBreakGlass() ? TaskRows.BrokenGlass.NOT : TaskRows.BrokenGlass.ANY, BATCH - ended));
            if (freeze.hasBreakGlass() && caught.size() < BATCH - ended) {
                // A task people approved as break-glass goes on through a freeze that allows it,
                // if they were as many as this freeze asks now. Such tasks are few: all are read.
                for (Task task : rows.activeHolding(freeze.tiers(), freeze.deny(), now, TaskRows.BrokenGlass.ONLY,
                        BROKEN_GLASS_READ)) {
                    if (task.approvedBy().size() < freeze.breakGlassQuorum() && caught.size() < BATCH - ended) {
                        caught.add(task);
                    }
                }
            }
            for (Task task : caught) {
                // The query matches scope text; the freeze itself has the last word.
                List<String> frozen = freeze.frozenActions(task.tier(), task.scopes());
                if (!frozen.isEmpty()
                        && ender.end(tx, task, TaskEnder.Ending.frozen(freeze.reason(), task.tier(), frozen), now)) {
                    ended++;
                }
            }
        }
        return ended;
    }
}
