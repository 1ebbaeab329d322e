package dev.stint.broker.tokens;

import dev.stint.broker.audit.CiOrigin;
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
 * @param origin the CI run an agent token was exchanged for (RFC 8693); {@code null} otherwise
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
        String revokeReason,
        CiOrigin origin) {

    public IssuedToken {
        Objects.requireNonNull(jti, "jti");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public IssuedToken(String jti, TokenKind kind, String tokenHash, AgentId agentId, TaskId taskId, Tier tier,
            String scope, String audience, Instant issuedAt, Instant expiresAt, Instant revokedAt,
            String revokeReason) {
        this(jti, kind, tokenHash, agentId, taskId, tier, scope, audience, issuedAt, expiresAt, revokedAt,
                revokeReason, null);
    }

    public boolean isActiveAt(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }
}
