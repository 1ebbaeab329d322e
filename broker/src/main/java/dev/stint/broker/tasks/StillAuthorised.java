package dev.stint.broker.tasks;

import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.auth.Caller;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
import java.time.Instant;

/**
 * Re-checked inside every unit that issues something to an agent: the agent may have been
 * suspended, or its token revoked, since the request was authenticated from a cached hint.
 */
public final class StillAuthorised {

    private StillAuthorised() {
    }

    /** The agent is still active and its token still unrevoked, as of this transaction. */
    public static void require(Tx tx, Caller.AgentCaller caller, Instant now)
            throws RejectedException, UnavailableException {
        AgentId id = caller.agent().id();
        AgentStatus status = new AgentRows(tx).status(id).orElseThrow(
                () -> RejectedException.unauthorized("agent " + id + " is not registered"));
        if (status != AgentStatus.ACTIVE) {
            throw RejectedException.unauthorized("agent " + id + " is " + status.wireName());
        }
        if (caller.tokenJti() != null && !new TokenRows(tx).isActive(caller.tokenJti(), now)) {
            throw RejectedException.unauthorized("the agent token was revoked or has expired");
        }
    }}
