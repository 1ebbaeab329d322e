package dev.stint.broker.approvals;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskEnder;
import java.time.Instant;
import java.util.Optional;

/**
 * A task that ends while its request is pending (its agent suspended, its owner ended it, its
 * deadline passed) takes the request with it: it closes as expired in the same unit, so nobody
 * can approve a task that no longer exists.
 */
public final class ApprovalWithdrawal implements TaskEnder.TaskCredentials {

    @Override
    public String revokeAll(Tx tx, Task task, Instant at, String reason) throws UnavailableException {
        ApprovalRows rows = new ApprovalRows(tx);
        Optional<Approval> approval = rows.forTask(task.agentId(), task.id());
        if (approval.isEmpty() || approval.get().status() != ApprovalStatus.PENDING
                || !rows.decide(approval.get().approvalId(), ApprovalStatus.EXPIRED, at)) {
            return "";
        }
        return "approval request " + approval.get().approvalId() + " closed";
    }
}
