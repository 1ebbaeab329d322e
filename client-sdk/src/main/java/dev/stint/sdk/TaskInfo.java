package dev.stint.sdk;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task as the broker describes it. All fields are required except two:
 *
 * @param approvalId the approval request of a task opened {@code pending_approval}, when the broker
 *     names it (it does in the answer to the open); {@code null} otherwise
 * @param endReason why the task ended, was denied or expired, when the broker says; {@code null}
 *     while it is pending or active
 */
public record TaskInfo(
        TaskId taskId,
        AgentId agentId,
        Tier tier,
        String purpose,
        List<Scope> scopes,
        TaskDeadline deadline,
        TaskStatus status,
        Instant openedAt,
        String approvalId,
        String endReason) {

    public TaskInfo {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(purpose, "purpose");
        scopes = Scope.canonical(Objects.requireNonNull(scopes, "scopes"));
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(openedAt, "openedAt");
    }

    /** A task without an approval request or end reason. */
    public TaskInfo(TaskId taskId, AgentId agentId, Tier tier, String purpose, List<Scope> scopes,
            TaskDeadline deadline, TaskStatus status, Instant openedAt) {
        this(taskId, agentId, tier, purpose, scopes, deadline, status, openedAt, null, null);
    }
}
