package dev.stint.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * How an agent proves itself at the broker's token endpoint: the form of one token request, and
 * what its answer must hold beyond an access token. Implementations are thread safe.
 */
interface AgentGrant {

    /** The request, for messages, e.g. "authentication of agent orders-bot"; names no secret. */
    String what();

    /**
     * The form fields of a new token request, each call good for one request (assertions and
     * subject tokens are single use).
     *
     * @throws BrokerRejectedException when this client refuses on its own to send the request
     * @throws BrokerUnavailableException when what the request needs cannot be had now
     */
    Map<String, String> form(AgentTokens.Metadata metadata, Instant now)
            throws BrokerRejectedException, BrokerUnavailableException;

    /** Checks the fields of a 2xx answer that are particular to this grant. */
    void checkAnswer(ObjectNode answer) throws BrokerUnavailableException;
}
