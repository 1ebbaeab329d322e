package dev.stint.broker.audit;

import java.util.Objects;

/**
 * What happened, as the audit log records it: who acted, what they asked, the decision and the
 * reason a human will read. Never holds a secret or a whole token.
 *
 * @param agentId {@code null} when no agent is involved
 * @param taskId {@code null} when no task is involved
 * @param tier {@code null} when no tier is involved
 * @param scopes space separated; empty when none
 * @param origin the CI run behind the task or the agent token; {@code null} when none. Filled in
 *     by {@link AuditRows#append} for every record of a task opened by a CI run.
 */
public record AuditEvent(
        String actor,
        String action,
        Decision decision,
        String agentId,
        String taskId,
        String tier,
        String scopes,
        String reason,
        CiOrigin origin) {

    /** The outcome recorded; {@code ERROR} is a request that could not be served. */
    public enum Decision {
        ALLOW, DENY, PENDING, ERROR;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public AuditEvent {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(decision, "decision");
        scopes = scopes == null ? "" : scopes;
        Objects.requireNonNull(reason, "reason");
    }

    public AuditEvent(String actor, String action, Decision decision, String agentId, String taskId, String tier,
            String scopes, String reason) {
        this(actor, action, decision, agentId, taskId, tier, scopes, reason, null);
    }

    public AuditEvent withOrigin(CiOrigin newOrigin) {
        return new AuditEvent(actor, action, decision, agentId, taskId, tier, scopes, reason, newOrigin);
    }
}
