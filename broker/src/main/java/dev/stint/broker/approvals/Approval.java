package dev.stint.broker.approvals;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A request for people to consent to one task, as it was asked: the task's content, the digest
 * that binds it, how many distinct approvers it needs and why it is guarded.
 *
 * @param owner the agent's owner (an email), who may not approve their own agent's task
 * @param guarded the guarded scopes with their action class and quorum, as a human reads them
 * @param windowEndsAt when the request expires without its quorum; never after the deadline
 * @param decidedAt {@code null} while pending
 * @param breakGlass whether approving it lets the task through a freeze in force (break-glass)
 */
public record Approval(
        String approvalId,
        AgentId agentId,
        TaskId taskId,
        String owner,
        Tier tier,
        List<Scope> scopes,
        String purpose,
        TaskDeadline deadline,
        ApprovalDigest digest,
        int quorum,
        String guarded,
        ApprovalStatus status,
        Instant requestedAt,
        Instant windowEndsAt,
        Instant decidedAt,
        boolean breakGlass) {

    /** A request outside any freeze. */
    public Approval(String approvalId, AgentId agentId, TaskId taskId, String owner, Tier tier, List<Scope> scopes,
            String purpose, TaskDeadline deadline, ApprovalDigest digest, int quorum, String guarded,
            ApprovalStatus status, Instant requestedAt, Instant windowEndsAt, Instant decidedAt) {
        this(approvalId, agentId, taskId, owner, tier, scopes, purpose, deadline, digest, quorum, guarded, status,
                requestedAt, windowEndsAt, decidedAt, false);
    }

    public Approval {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(tier, "tier");
        scopes = Scope.canonical(scopes);
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(guarded, "guarded");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(requestedAt, "requestedAt");
        Objects.requireNonNull(windowEndsAt, "windowEndsAt");
        if (windowEndsAt.isAfter(deadline.at())) {
            throw new IllegalArgumentException("an approval window never runs past the task's deadline");
        }
    }

    /** The status as of {@code now}: a pending request whose window has closed is expired. */
    public ApprovalStatus statusAt(Instant now) {
        return status == ApprovalStatus.PENDING && !now.isBefore(windowEndsAt) ? ApprovalStatus.EXPIRED : status;
    }
}
