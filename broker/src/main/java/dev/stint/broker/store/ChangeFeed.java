package dev.stint.broker.store;

import java.util.function.Consumer;

/**
 * Changes announced by the brokers that share a store, this one included ({@link Tx#announce}),
 * delivered after their transaction committed. A feed is a hint, fast but lossy: whoever caches must also let entries
 * expire (a second at most) so that a lost announcement costs staleness of that second, never more.
 * Listeners run on the feed's own thread and must not block.
 */
public interface ChangeFeed {

    /** The PostgreSQL notification channel announcements travel on. */
    String CHANNEL = "stint_changes";

    /** A feed that never delivers anything. */
    ChangeFeed NONE = listener -> { };

    /** Calls {@code listener} with every change announced from now on, and {@link Change#EVERYTHING} when some may have been missed. */
    void subscribe(Consumer<Change> listener);
}
