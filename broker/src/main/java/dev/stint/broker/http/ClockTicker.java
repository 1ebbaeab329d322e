package dev.stint.broker.http;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Caffeine's time, read from the broker's {@link Clock}: hint caches then age with the same time
 * as everything else, and tests that move the clock move the caches too.
 */
public record ClockTicker(Clock clock) implements Ticker {

    public ClockTicker {
        Objects.requireNonNull(clock, "clock");
    }

    @Override
    public long read() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
