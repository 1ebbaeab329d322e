package dev.stint.broker.approvals;

import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskStatus;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Closes requests whose window ended without their quorum: the request expires and its task is
 * denied, saying so. Run by the sweeps; approving after the window is refused in any case.
 */
public final class ApprovalExpiry {

    static final int BATCH = 100;

    private final Store store;
    private final TaskEnder ender;
    private final Clock clock;

    public ApprovalExpiry(Store store, TaskEnder ender, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.ender = Objects.requireNonNull(ender, "ender");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return how many requests expired */
    public Future<Integer> sweep() {
        Instant now = clock.instant();
        return store.write(tx -> {
            int expired = 0;
            ApprovalRows rows = new ApprovalRows(tx);
            for (Approval approval : rows.pendingPastWindow(now, BATCH)) {
                if (!rows.decide(approval.approvalId(), ApprovalStatus.EXPIRED, now)) {
                    continue;
                }
                expired++;
                int counted = ApprovalDecisions.approversOf(tx, approval).size();
                ender.end(tx, approval.agentId(), approval.taskId(), new TaskEnder.Ending(TaskStatus.DENIED, "system",
                        "approval.expire", "approval request " + approval.approvalId() + " expired at "
                                + approval.windowEndsAt() + " with " + counted + " of " + approval.quorum()
                                + " approval(s)"), now);
            }
            return expired;
        });
    }
}
