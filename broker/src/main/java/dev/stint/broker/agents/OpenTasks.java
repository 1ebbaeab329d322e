package dev.stint.broker.agents;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import java.time.Instant;

/**
 * An agent's open work, which the kill switch ends with it. The tasks feature provides it; the
 * agents feature only needs to call it inside the unit that suspends the agent.
 */
@FunctionalInterface
public interface OpenTasks {

    /**
     * Ends every active or pending task of {@code agent} and revokes what they were issued.
     *
     * @return how many tasks ended
     */
    int endAllOf(Tx tx, AgentId agent, String actor, Instant at) throws UnavailableException;
}
