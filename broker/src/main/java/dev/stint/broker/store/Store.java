package dev.stint.broker.store;

import io.vertx.core.Future;

/**
 * Where Stint keeps agents, tasks, issued tokens, keys and the audit log. Two implementations
 * share one contract test suite: the embedded default and PostgreSQL.
 *
 * <p>Work runs off the event loop. A write unit is atomic: its state changes and its audit
 * records commit together and are durable before the returned future completes, so a caller
 * that answers after the future has its decision on record ("audited before effect"). A unit
 * that throws changes nothing. Store failures complete the future with
 * {@link dev.stint.broker.UnavailableException}; rejections keep their
 * {@link dev.stint.broker.RejectedException}.
 */
public interface Store extends AutoCloseable {

    /** Runs read-only work; a write attempted inside it fails. */
    <T> Future<T> read(StoreWork<T> work);

    /** Runs work in a transaction that is committed and synced before the future completes. */
    <T> Future<T> write(StoreWork<T> work);

    /** Whether a write submitted now would be attempted (the writer runs and is not overloaded). */
    boolean acceptsWrites();

    /** Stops accepting work and releases files and connections. */
    @Override
    void close();
}
