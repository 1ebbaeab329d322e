package dev.stint.broker.tasks;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.policy.ApprovalNeed;
import dev.stint.broker.store.Tx;
import java.time.Instant;

/**
 * Where a task that needs people's consent asks for it. The approvals feature plugs in here (it
 * knows tasks; tasks do not know it). Called inside the unit that opens the task as
 * {@code pending_approval}, so the task and its request commit together or not at all.
 */
@FunctionalInterface
public interface ApprovalRequests {

    /**
     * Records the request for {@code task}, opened pending by an agent owned by {@code owner}.
     *
     * @return the request's id, answered to the agent as {@code approval_id}
     */
    String request(Tx tx, Task task, String owner, ApprovalNeed need, Instant now) throws UnavailableException;
}
