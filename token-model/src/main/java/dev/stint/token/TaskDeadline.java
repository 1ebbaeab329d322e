package dev.stint.token;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The instant after which nothing issued for a task may be used. Fixed when the task is opened,
 * held at whole seconds because JWT times are whole seconds: a token's {@code exp} can then
 * equal the deadline exactly and never exceed it by a rounding.
 */
public record TaskDeadline(Instant at) {

    public TaskDeadline {
        Objects.requireNonNull(at, "at");
        if (at.getNano() != 0) {
            throw new IllegalArgumentException("deadline must be a whole second");
        }
    }

    /** The deadline {@code ttl} after {@code openedAt}, rounded down to the second. */
    public static TaskDeadline after(Instant openedAt, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        return new TaskDeadline(openedAt.plus(ttl).truncatedTo(ChronoUnit.SECONDS));
    }

    public boolean hasPassed(Instant now) {
        return !now.isBefore(at);
    }

    /** The earlier of {@code candidate} (rounded down to the second) and this deadline. */
    public Instant cap(Instant candidate) {
        Instant whole = candidate.truncatedTo(ChronoUnit.SECONDS);
        return whole.isBefore(at) ? whole : at;
    }
}
