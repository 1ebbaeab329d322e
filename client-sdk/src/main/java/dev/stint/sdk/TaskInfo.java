package dev.stint.sdk;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** A task as the broker describes it. All fields are required. */
public record TaskInfo(
        TaskId taskId,
        AgentId agentId,
        Tier tier,
        String purpose,
        List<Scope> scopes,
        TaskDeadline deadline,
        TaskStatus status,
        Instant openedAt) {

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
}
