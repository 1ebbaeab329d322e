package dev.stint.sdk;

/** Asks the broker for a new database login for one task. One request per call; no caching. */
@FunctionalInterface
interface DatabaseCredentialIssuer {

    /**
     * @param role a valid role name
     * @return new credentials for exactly this role in the task's tier, valid on arrival and not
     *     past the task's deadline
     * @throws TaskNotActiveException when the broker says the task is ended, expired or unknown,
     *     or refuses the agent itself
     * @throws BrokerRejectedException when the broker refuses for another reason (the role is not
     *     the tier's or the task lacks its scope: 403; a malformed role: 400)
     * @throws BrokerUnavailableException when the broker cannot answer properly, or answers 429
     *     (too many leases for the task) or 503
     */
    DatabaseCredentials issue(String role) throws BrokerRejectedException, BrokerUnavailableException;
}
