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
 */
public record AuditEvent(
        String actor,
        String action,
        Decision decision,
        String agentId,
        String taskId,
        String tier,
        String scopes,
        String reason) {

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
}
