package dev.stint.broker.approvals;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.policy.ApprovalNeed;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tasks.ApprovalRequests;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tokens.OpaqueTokens;
import java.time.Instant;
import java.util.Objects;

/**
 * Records the approval request of a task opened pending: exactly what was asked, its digest, the
 * quorum and why it is guarded, and a window of the policy's {@code approval_window} that never
 * runs past the task's deadline.
 */
public final class ApprovalRequester implements ApprovalRequests {

    private final Policy policy;

    public ApprovalRequester(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public String request(Tx tx, Task task, String owner, ApprovalNeed need, Instant now) throws UnavailableException {
        String id = "apr_" + OpaqueTokens.randomId();
        Instant window = task.deadline().cap(now.plus(policy.document().approvalTiming().window()));
        new ApprovalRows(tx).insert(new Approval(id, task.agentId(), task.id(), owner, task.tier(), task.scopes(),
                task.purpose(), task.deadline(), ApprovalDigest.of(task.id(), task.agentId(), owner, task.tier(),
                        task.scopes(), task.purpose(), task.deadline()), need.quorum(), need.describe(),
                ApprovalStatus.PENDING, now, window, null, need.isBreakGlass()));
        return id;
    }
}
