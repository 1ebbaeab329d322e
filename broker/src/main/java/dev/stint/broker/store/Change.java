package dev.stint.broker.store;

import java.util.Objects;

/**
 * Something a broker changed that other brokers sharing the store may hold in memory: a topic
 * owned by a feature ({@code agent}, {@code task}, {@code token}, {@code keys}...) and a key within
 * it. {@link #EVERYTHING} means changes may have been missed: drop every cached hint.
 */
public record Change(String topic, String key) {

    /** Sent to subscribers when announcements may have been lost (the feed reconnected). */
    public static final Change EVERYTHING = new Change("*", "");

    public Change {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        if (topic.isEmpty() || topic.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a topic is a non-empty name without ':'");
        }
    }

    public boolean isEverything() {
        return this.equals(EVERYTHING);
    }

    static String encode(String topic, String key) {
        return new Change(topic, key).topic() + ":" + key;
    }

    /** The change a payload names, or {@link #EVERYTHING} for a payload this broker cannot read. */
    static Change decode(String payload) {
        int colon = payload == null ? -1 : payload.indexOf(':');
        if (colon <= 0) {
            return EVERYTHING;
        }
        return new Change(payload.substring(0, colon), payload.substring(colon + 1));
    }
}
