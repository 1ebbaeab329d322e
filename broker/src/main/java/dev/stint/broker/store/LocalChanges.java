package dev.stint.broker.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed of a store no other broker shares: the changes this broker's own units announced,
 * delivered on the writer thread once their batch committed. Nothing is ever missed, so it never
 * sends {@link Change#EVERYTHING}.
 */
final class LocalChanges implements ChangeFeed {

    private static final Logger LOG = LoggerFactory.getLogger(LocalChanges.class);

    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void subscribe(Consumer<Change> listener) {
        listeners.add(listener);
    }

    void deliver(Change change) {
        for (Consumer<Change> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("a listener failed on change {}: {}", change.topic(), e.getMessage());
            }
        }
    }
}
