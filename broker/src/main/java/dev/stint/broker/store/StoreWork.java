package dev.stint.broker.store;

import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;

/** One unit of work against the store, run inside one transaction. */
@FunctionalInterface
public interface StoreWork<T> {

    /**
     * @throws RejectedException to reject the request: the unit's changes are rolled back
     * @throws UnavailableException when the store failed: the unit's changes are rolled back
     */
    T run(Tx tx) throws RejectedException, UnavailableException;
}
