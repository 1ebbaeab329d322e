package dev.stint.broker.store;

import java.util.Optional;
import io.vertx.core.Future;

/**
 * Where Stint keeps its rows. The store knows transactions, not features: each feature owns its
 * rows and its SQL ({@code AgentRows}, {@code TaskRows}, {@code TokenRows}, {@code KeyRows},
 * {@code AuditRows}...) and reaches them through the {@link Tx} a unit of work is given. Two
 * implementations share one contract test suite: the embedded default and PostgreSQL.
 *
 * <h2>What a unit of work may assume</h2>
 * <ul>
 *   <li><b>Atomic and durable before answered.</b> A write unit's changes and its audit records
 *       commit together, and are synced before the returned future completes; a caller that
 *       answers after the future has its decision on record ("audited before effect"). A unit
 *       that throws changes nothing.</li>
 *   <li><b>Check-then-act is safe.</b> What a write unit reads it may act on: no other unit changes
 *       those rows between the read and the commit. The embedded store provides this with one
 *       serial writer: write units run one after another (in batches that share one commit,
 *       each in its own savepoint). A shared store with concurrent writers must provide it with
 *       row locks: every read a unit acts on selects {@code ...}{@link Dialect#forUpdate()}
 *       (a task's status before ending it or releasing a token for it, an agent's status, a
 *       token's revocation, a key's retirement), and conflicting inserts are caught by unique
 *       keys ({@code ON CONFLICT DO NOTHING} reports them).</li>
 *   <li><b>One audit chain.</b> Appending reads the chain's head inside the unit; a shared store
 *       must read it under lock so that two nodes never append the same sequence number.</li>
 *   <li><b>Reads see committed state.</b> A read unit sees every unit whose future has completed.
 *       Caches above the store are hints: whatever releases a credential re-checks inside its
 *       write unit. Key and revocation changes must reach every node that shares the store.</li>
 *   <li><b>No network calls inside a unit.</b> Nothing in a unit talks to a database backend, Vault or
 *       any other service: a slow backend would stall the single writer (or hold row locks) for
 *       every request. Call the backend before the unit (record intent first) or after it.</li>
 * </ul>
 *
 * <p>Work runs off the event loop. Store failures complete the future with
 * {@link dev.stint.broker.http.UnavailableException}; rejections keep their
 * {@link dev.stint.broker.http.RejectedException}.
 */
public interface Store extends AutoCloseable {

    /** Runs read-only work; a write attempted inside it fails. */
    <T> Future<T> read(StoreWork<T> work);

    /** Runs work in a transaction that is committed and synced before the future completes. */
    <T> Future<T> write(StoreWork<T> work);

    /**
     * Whether the writer can take work now: it runs, its queue has room, and its last commit did
     * not fail. A store that reads fine but cannot write is not healthy.
     */
    default boolean acceptsWrites() {
        return writeFailure().isEmpty();
    }

    /** Why writes would fail now (the reason {@link #acceptsWrites()} is false); empty when they would not. */
    Optional<String> writeFailure();

    /**
     * What the brokers sharing this store (this one included) announce they changed
     * ({@link Tx#announce}), so that caches above the store drop it and waiters wake at once.
     */
    default ChangeFeed changes() {
        return ChangeFeed.NONE;
    }

    /**
     * Whether this broker is the one that runs the deployment's sweeps (expiry, purges) now. Of
     * brokers sharing a store one leads at a time, and another takes over within a second or so
     * when it stops or dies. Sweeps are correct even when two run (each re-reads under lock what
     * it ends); leading only spares the others the work.
     */
    default boolean leadsSweeps() {
        return true;
    }

    /** Stops accepting work and releases files and connections. */
    @Override
    void close();
}
