package dev.stint.broker.credentials;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskEnder;
import java.time.Instant;

/**
 * Database leases die with their task: in the unit that ends it, every lease that may still
 * exist is marked {@code revoking}, due at once. The backends are called after the unit commits
 * ({@link LeaseRevoker}), never inside it.
 */
public final class TaskLeases implements TaskEnder.TaskCredentials {

    @Override
    public String revokeAll(Tx tx, Task task, Instant at, String reason) throws UnavailableException {
        int marked = new LeaseRows(tx).revokeAllOf(task.agentId(), task.id(), at);
        return marked == 0 ? "" : marked + " database lease(s) revoking";
    }
}
