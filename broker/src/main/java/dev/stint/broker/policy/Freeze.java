package dev.stint.broker.policy;

import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A window in which some actions are denied in some tiers: either absolute ({@code from} to
 * {@code until}) or recurring (a cron {@code schedule} in a time zone, lasting {@code duration}).
 *
 * @param from absolute start; {@code null} for a recurring freeze
 * @param until absolute end (exclusive); {@code null} for a recurring freeze
 * @param schedule recurring start; {@code null} for an absolute freeze
 */
public final class Freeze {

    /** Recurring freezes may last at most this long: each check looks back this far. */
    public static final Duration MAX_RECURRING_DURATION = Duration.ofDays(14);

    private final Set<Tier> tiers;
    private final Instant from;
    private final Instant until;
    private final CronSchedule schedule;
    private final Duration duration;
    private final ZoneId zone;
    private final Set<String> deny;
    private final String reason;
    private final AtomicReference<LatestStart> memo = new AtomicReference<>();

    public Freeze(Set<Tier> tiers, Instant from, Instant until, CronSchedule schedule, Duration duration,
            ZoneId zone, Set<String> deny, String reason) {
        this.tiers = Set.copyOf(tiers);
        this.deny = Set.copyOf(deny);
        this.reason = Objects.requireNonNull(reason, "reason");
        if ((from == null) != (until == null) || (from == null) == (schedule == null)) {
            throw new IllegalArgumentException("a freeze is either absolute (from, until) or recurring (schedule)");
        }
        this.from = from;
        this.until = until;
        this.schedule = schedule;
        this.duration = Objects.requireNonNull(duration, "duration");
        this.zone = zone;
    }

    public Set<Tier> tiers() {
        return tiers;
    }

    public Instant from() {
        return from;
    }

    public Instant until() {
        return until;
    }

    public CronSchedule schedule() {
        return schedule;
    }

    public Duration duration() {
        return duration;
    }

    public ZoneId zone() {
        return zone;
    }

    public Set<String> deny() {
        return deny;
    }

    public String reason() {
        return reason;
    }

    /** When the window that holds {@code now} ends, or empty when none holds it. */
    public Optional<Instant> activeUntil(Instant now) {
        if (schedule == null) {
            return !now.isBefore(from) && now.isBefore(until) ? Optional.of(until) : Optional.empty();
        }
        // The latest start at or before now has the latest end: if its window is over, all are.
        Optional<Instant> start = latestStart(now.truncatedTo(ChronoUnit.MINUTES));
        return start.map(s -> s.plus(duration)).filter(end -> end.isAfter(now));
    }

    /**
     * The latest scheduled start in the look-back of one duration before {@code minute}. Policy
     * is checked on every mint, so the walk (one step per minute of the duration) is done once
     * per minute and remembered.
     */
    private Optional<Instant> latestStart(Instant minute) {
        LatestStart memo = this.memo.get();
        if (memo != null && memo.minute().equals(minute)) {
            return memo.start();
        }
        Optional<Instant> found = Optional.empty();
        long steps = duration.toMinutes();
        for (long i = 0; i <= steps; i++) {
            Instant candidate = minute.minus(i, ChronoUnit.MINUTES);
            if (schedule.matches(candidate.atZone(zone))) {
                found = Optional.of(candidate);
                break;
            }
        }
        this.memo.set(new LatestStart(minute, found));
        return found;
    }

    private record LatestStart(Instant minute, Optional<Instant> start) {
    }

    /**
     * When this freeze is next in force at or after {@code from}, looking no further than
     * {@code horizon}: {@code from} itself while it is in force.
     */
    public Optional<Instant> nextInForce(Instant from, Duration horizon) {
        if (activeUntil(from).isPresent()) {
            return Optional.of(from);
        }
        Instant end = from.plus(horizon);
        if (schedule == null) {
            return this.from.isAfter(from) && !this.from.isAfter(end) ? Optional.of(this.from) : Optional.empty();
        }
        Instant minute = from.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        for (; !minute.isAfter(end); minute = minute.plus(1, ChronoUnit.MINUTES)) {
            if (schedule.matches(minute.atZone(zone))) {
                return Optional.of(minute);
            }
        }
        return Optional.empty();
    }

    public boolean covers(Tier tier, String action) {
        return tiers.contains(tier) && deny.contains(action);
    }
}
