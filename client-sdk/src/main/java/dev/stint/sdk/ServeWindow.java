package dev.stint.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Until when a cached credential is served, from the instant it arrived and the instant it
 * expires. Both rules start from the same two points, its half-life and "valid for at least the
 * safety margin", and differ in which one wins, because a refresh costs different things:
 *
 * <ul>
 *   <li>A task token is refreshed at the <em>earlier</em> of the two. A new token costs one
 *       signature, and the old one dies on its own within minutes.</li>
 *   <li>Database credentials are kept until the <em>later</em> of the two: until the margin
 *       starts, or, for a lease shorter than two margins, until half its life. A new lease is
 *       a new database login, it lives on beside the old one until the task ends, and the
 *       broker allows a task only so many (429); refreshing at half-life would spend them.</li>
 * </ul>
 *
 * <p>Either way nothing is served at or past its expiry, and a value whose window is already
 * over when it arrives is handed to that one caller only and never served from the cache.
 *
 * @param safetyMargin how long a cached credential must stay valid to be served; not negative
 */
record ServeWindow(Duration safetyMargin) {

    ServeWindow {
        Objects.requireNonNull(safetyMargin, "safetyMargin");
        if (safetyMargin.isNegative()) {
            throw new IllegalArgumentException("safetyMargin must not be negative");
        }
    }

    /** The earlier of half-life and the start of the safety margin. */
    Instant forToken(Instant obtainedAt, Instant expiresAt) {
        Instant halfLife = halfLife(obtainedAt, expiresAt);
        Instant marginStart = expiresAt.minus(safetyMargin);
        return halfLife.isBefore(marginStart) ? halfLife : marginStart;
    }

    /** The later of half-life and the start of the safety margin. */
    Instant forLease(Instant obtainedAt, Instant expiresAt) {
        Instant halfLife = halfLife(obtainedAt, expiresAt);
        Instant marginStart = expiresAt.minus(safetyMargin);
        return halfLife.isAfter(marginStart) ? halfLife : marginStart;
    }

    private static Instant halfLife(Instant obtainedAt, Instant expiresAt) {
        return obtainedAt.plus(Duration.between(obtainedAt, expiresAt).dividedBy(2));
    }
}
