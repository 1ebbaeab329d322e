package dev.stint.broker.tokens;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.audit.CiOrigin;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The issued tokens' rows: one per agent or task token, kept a while past its expiry. */
public final class TokenRows {

    /** A token record outlives its expiry this long, so that introspection and audit about recent tokens find it. */
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(1);

    private static final String COLUMNS = "jti, kind, token_hash, agent_id, task_id, tier, scope, audience,"
            + " issued_at, expires_at, revoked_at, revoke_reason, origin";

    private final Tx tx;

    /** The topic other brokers hear when a token is revoked; the key is its jti. */
    public static final String CHANGES = "token";

    public TokenRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    public void insert(IssuedToken token) throws UnavailableException {
        tx.update("INSERT INTO issued_tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            set(ps, 1, token.jti());
            set(ps, 2, token.kind().wireName());
            set(ps, 3, token.tokenHash());
            set(ps, 4, token.agentId().value());
            set(ps, 5, token.taskId() == null ? null : token.taskId().value());
            set(ps, 6, token.tier() == null ? null : token.tier().name());
            set(ps, 7, token.scope());
            set(ps, 8, token.audience());
            set(ps, 9, token.issuedAt());
            set(ps, 10, token.expiresAt());
            set(ps, 11, token.revokedAt());
            set(ps, 12, token.revokeReason());
            set(ps, 13, token.origin() == null ? null : token.origin().toJson());
        });
    }

    public Optional<IssuedToken> byJti(String jti) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM issued_tokens WHERE jti = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, jti), TokenRows::row);
    }

    /** Whether the token exists, is unrevoked and unexpired at {@code now}: the check alone, no row. */
    public boolean isActive(String jti, Instant now) throws UnavailableException {
        return tx.one("SELECT 1 FROM issued_tokens WHERE jti = ? AND revoked_at IS NULL AND expires_at > ?" + tx.lockForUpdate(),
                ps -> {
                    set(ps, 1, jti);
                    set(ps, 2, now);
                }, rs -> Boolean.TRUE).isPresent();
    }

    public Optional<IssuedToken> byHash(String tokenHash) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM issued_tokens WHERE token_hash = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, tokenHash), TokenRows::row);
    }

    /** @return whether the token was active and is now revoked */
    public boolean revoke(String jti, Instant at, String reason) throws UnavailableException {
        boolean revoked = tx.update("UPDATE issued_tokens SET revoked_at = ?, revoke_reason = ?"
                + " WHERE jti = ? AND revoked_at IS NULL AND expires_at > ?", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, reason);
                    set(ps, 3, jti);
                    set(ps, 4, at);
                }) == 1;
        if (revoked) {
            tx.announce(CHANGES, jti);
        }
        return revoked;
    }

    /** Revokes every unrevoked token of the agent's task; returns how many. */
    public int revokeOfTask(AgentId agentId, TaskId taskId, Instant at, String reason) throws UnavailableException {
        return tx.update("UPDATE issued_tokens SET revoked_at = ?, revoke_reason = ?"
                + " WHERE task_id = ? AND agent_id = ? AND revoked_at IS NULL", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, reason);
                    set(ps, 3, taskId.value());
                    set(ps, 4, agentId.value());
                });
    }

    /** Revokes every unrevoked agent token (login) of an agent; returns how many. */
    public int revokeAgentTokensOf(AgentId agentId, Instant at, String reason) throws UnavailableException {
        return tx.update("UPDATE issued_tokens SET revoked_at = ?, revoke_reason = ?"
                + " WHERE kind = 'agent' AND agent_id = ? AND revoked_at IS NULL", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, reason);
                    set(ps, 3, agentId.value());
                });
    }

    /** Revoked tokens that have not expired yet, soonest expiry first: the revocation list. */
    public List<IssuedToken> revokedUnexpired(Instant now, int limit) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM issued_tokens WHERE revoked_at IS NOT NULL AND expires_at > ?"
                + " ORDER BY expires_at LIMIT ?", ps -> {
                    set(ps, 1, now);
                    ps.setInt(2, limit);
                }, TokenRows::row);
    }

    /** Forgets token records that expired more than {@link #KEPT_AFTER_EXPIRY} before {@code now}. */
    public int purgeExpired(Instant now) throws UnavailableException {
        Instant horizon = now.minus(KEPT_AFTER_EXPIRY);
        return tx.update("DELETE FROM issued_tokens WHERE expires_at < ?", ps -> set(ps, 1, horizon));
    }


    private static IssuedToken row(ResultSet rs) throws SQLException {
        String taskId = rs.getString(5);
        String tier = rs.getString(6);
        return new IssuedToken(rs.getString(1), TokenKind.fromWire(rs.getString(2)), rs.getString(3),
                new AgentId(rs.getString(4)), taskId == null ? null : new TaskId(taskId),
                tier == null ? null : new Tier(tier), rs.getString(7), rs.getString(8), instant(rs, 9),
                instant(rs, 10), instant(rs, 11), rs.getString(12), CiOrigin.fromJson(rs.getString(13)));
    }
}
