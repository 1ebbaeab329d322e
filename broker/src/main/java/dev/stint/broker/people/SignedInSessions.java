package dev.stint.broker.people;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;

/** Ends a person's browser sessions inside the unit that disables them (the pages own the sessions). */
@FunctionalInterface
public interface SignedInSessions {

    /** @return how many sessions were ended */
    int endAllOf(Tx tx, String personId, Instant now) throws UnavailableException;
}
