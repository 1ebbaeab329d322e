package dev.stint.broker.credentials;

import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskRoutes;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to a task's end waits until each of its leases is revoked, or {@link #BOUND} has
 * passed, and says where each stands; what is not done by then the sweep finishes.
 */
public final class LeaseEndReport implements TaskRoutes.EndReport {

    static final Duration BOUND = Duration.ofSeconds(2);

    private final LeaseRevoker revoker;

    public LeaseEndReport(LeaseRevoker revoker) {
        this.revoker = Objects.requireNonNull(revoker, "revoker");
    }

    @Override
    public Future<Map<String, Object>> after(Task ended) {
        return revoker.revokeTask(ended.agentId(), ended.id(), BOUND).map(LeaseJson::list);
    }
}
