package dev.stint.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A cached value and the instant from which it is no longer served.
 *
 * @param value a credential; its {@code toString()} must hide any secret
 * @param serveUntil the first instant at which the cache fetches anew instead
 */
record Served<V>(V value, Instant serveUntil) {

    Served {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(serveUntil, "serveUntil");
    }

    boolean servableAt(Instant now) {
        return now.isBefore(serveUntil);
    }

    Duration timeLeftToServe(Instant now) {
        Duration left = Duration.between(now, serveUntil);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
