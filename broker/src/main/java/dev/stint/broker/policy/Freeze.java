package dev.stint.broker.policy;

import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A window in which some actions are denied in some tiers: either absolute ({@code from} to
 * {@code until}) or recurring (a cron {@code schedule} in a time zone, lasting {@code duration}).
 *
 * @param tiers the tiers it applies to
 * @param from absolute start; {@code null} for a recurring freeze
 * @param until absolute end (exclusive); {@code null} for a recurring freeze
 * @param schedule recurring start; {@code null} for an absolute freeze
 * @param duration how long each window lasts ({@code until - from} for an absolute freeze)
 * @param zone the time zone of the schedule's wall clock; {@code null} for an absolute freeze
 * @param deny the actions it denies
 * @param reason why, shown in every denial it causes
 * @param breakGlassQuorum how many distinct approvers may allow a frozen action anyway
 *     ({@code break_glass: {quorum: N}}); 0 when the freeze has no break-glass
 */
public record Freeze(Set<Tier> tiers, Instant from, Instant until, CronSchedule schedule, Duration duration,
        ZoneId zone, Set<String> deny, String reason, int breakGlassQuorum) {

    /** A freeze without break-glass. */
    public Freeze(Set<Tier> tiers, Instant from, Instant until, CronSchedule schedule, Duration duration,
            ZoneId zone, Set<String> deny, String reason) {
        this(tiers, from, until, schedule, duration, zone, deny, reason, 0);
    }

    /**
     * Recurring freezes may last at most this long: a longer one is more likely a typo or an
     * absolute freeze written as a schedule than a weekly rhythm.
     */
    public static final Duration MAX_RECURRING_DURATION = Duration.ofDays(14);

    public Freeze {
        tiers = Set.copyOf(tiers);
        deny = Set.copyOf(deny);
        Objects.requireNonNull(reason, "reason");
        if ((from == null) != (until == null) || (from == null) == (schedule == null)) {
            throw new IllegalArgumentException("a freeze is either absolute (from, until) or recurring (schedule)");
        }
        Objects.requireNonNull(duration, "duration");
        if (schedule != null) {
            Objects.requireNonNull(zone, "zone");
        }
        if (breakGlassQuorum < 0 || breakGlassQuorum > ApprovalNeed.MAX_QUORUM) {
            throw new IllegalArgumentException("a break-glass quorum is 1 to " + ApprovalNeed.MAX_QUORUM);
        }
    }

    public boolean hasBreakGlass() {
        return breakGlassQuorum > 0;
    }

    /** When the window that holds {@code now} ends, or empty when none holds it. */
    public Optional<Instant> activeUntil(Instant now) {
        if (schedule == null) {
            return !now.isBefore(from) && now.isBefore(until) ? Optional.of(until) : Optional.empty();
        }
        // Starts never go backwards and every window lasts as long, so the latest start at or
        // before now has the latest end: if its window is over, so is every earlier one, however
        // far the windows overlap.
        return schedule.lastStart(now, zone).map(start -> start.plus(duration)).filter(end -> end.isAfter(now));
    }

    /** This freeze as it stands at {@code now}, or empty when no window of it holds {@code now}. */
    public Optional<FreezeInForce> inForceAt(Instant now) {
        return activeUntil(now).map(until -> new FreezeInForce(tiers, deny, reason, until, breakGlassQuorum));
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
        return schedule.nextStart(from, zone).filter(start -> !start.isAfter(end));
    }

    public boolean covers(Tier tier, String action) {
        return tiers.contains(tier) && deny.contains(action);
    }
}
