package dev.stint.sdk;

import dev.stint.token.TaskId;
import dev.stint.token.Tier;

/** Asks the broker for a fresh task token. One request per call; no caching. */
@FunctionalInterface
public interface TaskTokenIssuer {

    /**
     * @param audience the audience to mint for, or null for the broker's default
     * @return a new token for exactly this task, tier and audience
     * @throws TaskNotActiveException when the broker says the task is ended, expired, unknown or
     *     forbidden, or refuses the agent itself
     * @throws BrokerRejectedException when the broker refuses for another reason
     * @throws BrokerUnavailableException when the broker cannot answer properly
     */
    TaskToken issue(TaskId taskId, Tier tier, String audience)
            throws BrokerRejectedException, BrokerUnavailableException;
}
