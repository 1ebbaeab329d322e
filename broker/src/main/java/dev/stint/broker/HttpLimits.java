package dev.stint.broker;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of the broker's HTTP servers one client can hold, so that slow or numerous clients
 * cannot starve the others (slowloris). Network deadlines run on the event loop's timers, not on
 * the broker's clock.
 *
 * @param requestHeadTimeout a connection is closed when it has not sent a complete request head this
 *     long after it opened, or after the previous response on it ended (so it also bounds keep-alive)
 * @param idleTimeout a connection on which nothing was read or written for this long is closed
 *     (a stalled body, a client that stopped reading)
 * @param maxConnections open connections per broker; one more is closed as soon as it is accepted
 */
public record HttpLimits(Duration requestHeadTimeout, Duration idleTimeout, int maxConnections) {

    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    /** Above the longest wait of {@code GET /v1/tasks/{id}?wait=} (30 s), which sends nothing meanwhile. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(40);
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final HttpLimits DEFAULTS = new HttpLimits(DEFAULT_REQUEST_HEAD_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_MAX_CONNECTIONS);

    public HttpLimits {
        requireBetween(requestHeadTimeout, "requestHeadTimeout");
        requireBetween(idleTimeout, "idleTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
    }

    private static void requireBetween(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be between 1 ms and 1 h");
        }
    }
}
