package dev.stint.broker.tokens;

import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.Objects;

/**
 * The record of one issued token, kept until it expires so that it can be introspected and
 * revoked. Agent tokens are opaque: only their SHA-256 is stored, never the token.
 *
 * @param tokenHash hex SHA-256 of an opaque agent token; {@code null} for task tokens
 * @param taskId {@code null} for agent tokens
 * @param tier {@code null} for agent tokens
 * @param revokedAt {@code null} while not revoked
 */
public record IssuedToken(
        String jti,
        TokenKind kind,
        String tokenHash,
        AgentId agentId,
        TaskId taskId,
        Tier tier,
        String scope,
        String audience,
        Instant issuedAt,
        Instant expiresAt,
        Instant revokedAt,
        String revokeReason) {

    public IssuedToken {
        Objects.requireNonNull(jti, "jti");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean isActiveAt(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }
}
