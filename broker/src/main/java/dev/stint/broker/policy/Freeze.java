package dev.stint.broker.policy;

import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A window in which some actions are denied in some tiers: either absolute ({@code from} to
 * {@code until}) or recurring (a cron {@code schedule} in a time zone, lasting {@code duration}).
 *
 * @param from absolute start; {@code null} for a recurring freeze
 * @param until absolute end (exclusive); {@code null} for a recurring freeze
 * @param schedule recurring start; {@code null} for an absolute freeze
 */
public record Freeze(Set<Tier> tiers, Instant from, Instant until, CronSchedule schedule, Duration duration,
        ZoneId zone, Set<String> deny, String reason) {

    /** Recurring freezes may last at most this long: each check looks back this far. */
    public static final Duration MAX_RECURRING_DURATION = Duration.ofDays(14);

    public Freeze {
        tiers = Set.copyOf(tiers);
        deny = Set.copyOf(deny);
        Objects.requireNonNull(reason, "reason");
        if ((from == null) != (until == null) || (from == null) == (schedule == null)) {
            throw new IllegalArgumentException("a freeze is either absolute (from, until) or recurring (schedule)");
        }
    }

    /** When the window that holds {@code now} ends, or empty when none holds it. */
    public Optional<Instant> activeUntil(Instant now) {
        if (schedule == null) {
            return !now.isBefore(from) && now.isBefore(until) ? Optional.of(until) : Optional.empty();
        }
        // Walk back minute by minute over one duration; the latest matching start wins.
        Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
        long steps = duration.toMinutes();
        for (long i = 0; i <= steps; i++) {
            Instant start = minute.minus(i, ChronoUnit.MINUTES);
            Instant end = start.plus(duration);
            if (end.isAfter(now) && schedule.matches(start.atZone(zone))) {
                return Optional.of(end);
            }
        }
        return Optional.empty();
    }

    public boolean covers(Tier tier, String action) {
        return tiers.contains(tier) && deny.contains(action);
    }
}
