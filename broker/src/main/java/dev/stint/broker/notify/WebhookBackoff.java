package dev.stint.broker.notify;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a failed post is tried again: a ceiling doubling from {@code first} up to {@code max}, and
 * a wait drawn anywhere below it ("full jitter"), so that notices failing together spread out;
 * never less than {@code floor}. Never "give up": a notice is posted until a 2xx answer.
 *
 * @param random draws from [0, 1)
 */
public record WebhookBackoff(Duration first, Duration max, Duration floor, DoubleSupplier random) {

    public WebhookBackoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(random, "random");
    }

    /** From 2 s doubling up to 10 min, at least 1 s (the sweep's own period). */
    public static WebhookBackoff standard() {
        return new WebhookBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(1),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The ceiling of the wait after the {@code attempts}-th failure (1 for the first). */
    Duration ceiling(int attempts) {
        long ceiling = first.toMillis() << Math.min(Math.max(attempts - 1, 0), 30);
        return Duration.ofMillis(Math.min(ceiling, max.toMillis()));
    }

    /** The wait after the {@code attempts}-th failure. */
    Duration after(int attempts) {
        long drawn = (long) (ceiling(attempts).toMillis() * random.getAsDouble());
        return Duration.ofMillis(Math.max(drawn, floor.toMillis()));
    }
}
