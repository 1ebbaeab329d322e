package dev.stint.broker.tasks;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.store.Store;
import dev.stint.token.Scope;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Closes tasks whose deadline has passed: marks them expired, revokes what they were issued and
 * records it. Requests already treat such tasks as expired on read; the sweep makes it durable
 * and loud. Also forgets used assertion ids and long-expired token records.
 */
public final class TaskExpiry {

    static final int BATCH = 200;

    private final Store store;
    private final Clock clock;

    public TaskExpiry(Store store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return how many tasks were expired by this sweep */
    public Future<Integer> sweep() {
        Instant now = clock.instant();
        return store.write(tx -> {
            int expired = 0;
            for (Task task : tx.activeTasksDueBy(now, BATCH)) {
                String reason = "deadline " + task.deadline().at() + " passed";
                if (tx.finishTask(task.id(), TaskStatus.EXPIRED, now, reason)) {
                    int revoked = tx.revokeTokensOfTask(task.id(), now, reason);
                    tx.appendAudit(new AuditEvent("system", "task.expire", AuditEvent.Decision.ALLOW,
                            task.agentId().value(), task.id().value(), task.tier().name(), Scope.join(task.scopes()),
                            "task expired: " + reason + "; " + revoked + " token(s) revoked"), now);
                    expired++;
                }
            }
            tx.purgeExpired(now);
            return expired;
        });
    }
}
