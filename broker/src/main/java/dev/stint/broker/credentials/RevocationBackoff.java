package dev.stint.broker.credentials;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a failed revocation is tried again: doubling from one second up to five minutes, each wait
 * drawn between half and all of it so that many leases failing together do not retry in step.
 * Never "give up": a lease is retried until its backend confirms the login gone.
 */
public record RevocationBackoff(Duration first, Duration max, DoubleSupplier random) {

    public static RevocationBackoff standard() {
        return new RevocationBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5),
                () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }

    /** The wait after the {@code attempts}-th failure (1 for the first). */
    public Duration after(int attempts) {
        long ceiling = first.toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
        long capped = Math.min(ceiling, max.toMillis());
        return Duration.ofMillis((long) (capped * (0.5 + random.getAsDouble() / 2)));
    }
}
