package dev.stint.broker.tokens;

import dev.stint.broker.audit.CiOrigin;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import java.time.Duration;
import java.time.Instant;

/**
 * A freshly issued opaque agent token, the same whichever grant gave it ({@code client_credentials}
 * or a CI token exchange). Only its hash is stored; the value leaves the broker once, in the answer.
 */
public record NewAgentToken(String value, String jti, Instant expiresAt) {

    /** Records a new agent token for {@code agent} in {@code tx}, valid from {@code now} for {@code ttl}. */
    public static NewAgentToken issue(Tx tx, AgentId agent, String issuer, Instant now, Duration ttl, CiOrigin origin)
            throws UnavailableException {
        String token = OpaqueTokens.generate(OpaqueTokens.AGENT_PREFIX);
        Instant expiresAt = now.plus(ttl);
        String jti = OpaqueTokens.randomId();
        new TokenRows(tx).insert(new IssuedToken(jti, TokenKind.AGENT, OpaqueTokens.hash(token), agent, null, null,
                null, issuer, now, expiresAt, null, null, origin));
        return new NewAgentToken(token, jti, expiresAt);
    }

    @Override
    public String toString() {
        return "NewAgentToken[jti=" + jti + ", expiresAt=" + expiresAt + "]";
    }
}
