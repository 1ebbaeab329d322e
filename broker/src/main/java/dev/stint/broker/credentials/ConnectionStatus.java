package dev.stint.broker.credentials;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this broker last saw of each backend connection: whether its last call (an issue or a
 * revocation) reached it, when, and if not why. A connection not called yet is unknown.
 */
public final class ConnectionStatus {

    /** The last call's outcome; {@code reason} is {@code null} when it succeeded. */
    public record Seen(boolean reachable, Instant at, String reason) {
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    void succeeded(String connection, Instant at) {
        seen.put(connection, new Seen(true, at, null));
    }

    /** A backend that refused a request as such was reached; one that did not answer was not. */
    void failed(String connection, Instant at, CredentialBackend.BackendException failure) {
        seen.put(connection, new Seen(failure.isRejected(), at, failure.reason()));
    }

    public Map<String, Seen> snapshot() {
        return Map.copyOf(seen);
    }
}
