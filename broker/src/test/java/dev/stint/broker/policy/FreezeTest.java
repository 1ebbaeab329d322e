package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A single freeze window: when it holds, when it ends, and what it covers. */
class FreezeTest {

    private static final Tier PROD = new Tier("prod");
    private static final Instant FROM = Instant.parse("2026-12-20T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2027-01-04T00:00:00Z");

    private static Freeze recurring(String cron, Duration duration, ZoneId zone) {
        return new Freeze(Set.of(PROD), null, null, CronSchedule.parse(cron), duration, zone, Set.of("delete"), "r");
    }

    @Test
    void absoluteWindowEndsAtUntil() {
        Freeze freeze = new Freeze(Set.of(PROD), FROM, UNTIL, null, Duration.between(FROM, UNTIL), null,
                Set.of("delete"), "r");

        assertThat(freeze.activeUntil(FROM)).contains(UNTIL);
        assertThat(freeze.activeUntil(FROM.minusNanos(1))).isEmpty();
        assertThat(freeze.activeUntil(UNTIL.minusNanos(1))).contains(UNTIL);
        assertThat(freeze.activeUntil(UNTIL)).isEmpty();
    }

    @Test
    void recurringWindowStartsOnTheScheduledMinuteAndLastsItsDuration() {
        Freeze freeze = recurring("30 9 * * *", Duration.ofMinutes(90), ZoneOffset.UTC);
        Instant start = Instant.parse("2026-05-05T09:30:00Z");

        assertThat(freeze.activeUntil(start.minusSeconds(1))).isEmpty();
        assertThat(freeze.activeUntil(start)).contains(start.plus(Duration.ofMinutes(90)));
        assertThat(freeze.activeUntil(start.plus(Duration.ofMinutes(90)).minusNanos(1)))
                .contains(Instant.parse("2026-05-05T11:00:00Z"));
        assertThat(freeze.activeUntil(Instant.parse("2026-05-05T11:00:00Z"))).isEmpty();
    }

    @Test
    void overlappingRecurringWindowsReportTheLatestStartsEnd() {
        Freeze freeze = recurring("0 * * * *", Duration.ofMinutes(90), ZoneOffset.UTC);

        assertThat(freeze.activeUntil(Instant.parse("2026-05-05T10:15:00Z")))
                .contains(Instant.parse("2026-05-05T11:30:00Z"));
    }

    @Test
    void recurringWindowOfTheMaximumLengthIsFoundAtItsLastMinute() {
        Freeze freeze = recurring("0 0 1 * *", Freeze.MAX_RECURRING_DURATION, ZoneOffset.UTC);

        assertThat(freeze.activeUntil(Instant.parse("2026-05-14T23:59:59Z")))
                .contains(Instant.parse("2026-05-15T00:00:00Z"));
        assertThat(freeze.activeUntil(Instant.parse("2026-05-15T00:00:00Z"))).isEmpty();
    }

    @Test
    void coversOnlyItsTiersAndDeniedActions() {
        Freeze freeze = recurring("0 16 * * FRI", Duration.ofHours(64), ZoneId.of("Europe/Berlin"));

        assertThat(freeze.covers(PROD, "delete")).isTrue();
        assertThat(freeze.covers(PROD, "read")).isFalse();
        assertThat(freeze.covers(new Tier("dev"), "delete")).isFalse();
    }

    @Test
    void isEitherAbsoluteOrRecurring() {
        assertThatThrownBy(() -> new Freeze(Set.of(PROD), FROM, UNTIL, CronSchedule.parse("0 16 * * FRI"),
                Duration.ofHours(1), ZoneOffset.UTC, Set.of("delete"), "r"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a freeze is either absolute (from, until) or recurring (schedule)");
        assertThatThrownBy(() -> new Freeze(Set.of(PROD), FROM, null, null, Duration.ofHours(1), null,
                Set.of("delete"), "r"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
