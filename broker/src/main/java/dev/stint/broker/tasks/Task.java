package dev.stint.broker.tasks;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One unit of work of one agent in one tier. The deadline is fixed at open and nothing changes
 * it; the record has no way to build a task with a later one.
 *
 * @param endedAt when it ended or expired; {@code null} while it is not final
 * @param endReason why it ended; {@code null} while it is not final
 */
public record Task(
        TaskId id,
        AgentId agentId,
        Tier tier,
        String purpose,
        List<Scope> scopes,
        Instant openedAt,
        TaskDeadline deadline,
        TaskStatus status,
        Instant endedAt,
        String endReason,
        List<String> approvedBy,
        boolean breakGlass) {

    /** A task no one approved (none of its scopes needed it, or it is still pending). */
    public Task(TaskId id, AgentId agentId, Tier tier, String purpose, List<Scope> scopes, Instant openedAt,
            TaskDeadline deadline, TaskStatus status, Instant endedAt, String endReason) {
        this(id, agentId, tier, purpose, scopes, openedAt, deadline, status, endedAt, endReason, List.of(), false);
    }

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(purpose, "purpose");
        scopes = Scope.canonical(scopes);
        Objects.requireNonNull(openedAt, "openedAt");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(status, "status");
        approvedBy = List.copyOf(approvedBy);
    }

    /** The status as of {@code now}: an active task whose deadline has passed is expired. */
    public TaskStatus statusAt(Instant now) {
        return status == TaskStatus.ACTIVE && deadline.hasPassed(now) ? TaskStatus.EXPIRED : status;
    }

    public boolean isActiveAt(Instant now) {
        return statusAt(now) == TaskStatus.ACTIVE;
    }
}
