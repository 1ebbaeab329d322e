package dev.stint.sdk;

import java.io.Closeable;

/**
 * Task tokens for one task, served from wherever is cheapest while still safe. After
 * {@link #close()} every read throws {@link TaskNotActiveException}. Implementations are thread safe.
 */
public interface TaskTokenSource extends Closeable {

    /**
     * A token valid now for this source's task and tier, never one past its expiry, the task
     * deadline, or one the source knows is revoked.
     *
     * @param audience the audience to mint for, or null for the broker's default
     * @throws TaskNotActiveException when the task is closed, past its deadline or refused by the broker
     * @throws BrokerRejectedException when the broker refuses the request for another reason
     * @throws BrokerUnavailableException when a fresh token is needed and the broker cannot give one
     */
    TaskToken token(String audience) throws BrokerRejectedException, BrokerUnavailableException;

    /** Stops serving tokens and forgets the cached ones. Idempotent; does not call the broker. */
    @Override
    void close();
}
