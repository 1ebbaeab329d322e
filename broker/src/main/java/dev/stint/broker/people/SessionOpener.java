package dev.stint.broker.people;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;

/** Opens a browser session for a person who just signed in, inside the unit that records the sign-in. */
@FunctionalInterface
public interface SessionOpener<T> {

    T open(Tx tx, Person person, Instant now) throws UnavailableException;
}
