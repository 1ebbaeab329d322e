package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A single freeze window: when it holds, when it ends, and what it covers. */
class FreezeTest {

    private static final Tier PROD = new Tier("prod");
    private static final Instant FROM = Instant.parse("2026-12-20T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2027-01-04T00:00:00Z");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

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

    // --- daylight saving, Europe/Berlin 2027: on Sunday 28 March the clocks jump from 02:00 CET to
    // 03:00 CEST (at 01:00Z); on Sunday 31 October they fall back from 03:00 CEST to 02:00 CET (at 01:00Z).

    @Test
    void freezeStartingInSpringForwardGapStartsWhenTheGapEnds() {
        Freeze freeze = recurring("30 2 * * SUN", Duration.ofHours(1), BERLIN);
        assertThat(BERLIN.getRules().getValidOffsets(LocalDateTime.parse("2027-03-28T02:30"))).as("no 02:30 that day")
                .isEmpty();
        Instant gapEnd = Instant.parse("2027-03-28T01:00:00Z");
        Instant end = Instant.parse("2027-03-28T02:00:00Z");

        assertThat(freeze.activeUntil(gapEnd.minusSeconds(1))).isEmpty();
        assertThat(freeze.activeUntil(gapEnd)).contains(end);
        assertThat(freeze.activeUntil(end.minusSeconds(1))).contains(end);
        assertThat(freeze.activeUntil(end)).isEmpty();
    }

    @Test
    void freezeStartingInSpringForwardGapIsNextInForceWhenTheGapEnds() {
        Freeze freeze = recurring("30 2 * * SUN", Duration.ofHours(1), BERLIN);

        assertThat(freeze.nextInForce(Instant.parse("2027-03-28T00:55:00Z"), Duration.ofMinutes(5)))
                .contains(Instant.parse("2027-03-28T01:00:00Z"));
        assertThat(freeze.nextInForce(Instant.parse("2027-03-28T00:54:59Z"), Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void freezeStartingInSpringForwardGapKeepsItsWallClockTimeOnOtherSundays() {
        Freeze freeze = recurring("30 2 * * SUN", Duration.ofHours(1), BERLIN);

        assertThat(freeze.activeUntil(Instant.parse("2027-03-21T01:30:00Z"))).as("02:30 CET")
                .contains(Instant.parse("2027-03-21T02:30:00Z"));
        assertThat(freeze.activeUntil(Instant.parse("2027-04-04T00:30:00Z"))).as("02:30 CEST")
                .contains(Instant.parse("2027-04-04T01:30:00Z"));
    }

    @Test
    void freezeStartingInRepeatedHourStartsOnce() {
        Freeze freeze = recurring("30 2 * * SUN", Duration.ofMinutes(10), BERLIN);
        Instant first = Instant.parse("2027-10-31T00:30:00Z");
        Instant second = Instant.parse("2027-10-31T01:30:00Z");
        assertThat(second.atZone(BERLIN).toLocalDateTime()).as("02:30 again")
                .isEqualTo(first.atZone(BERLIN).toLocalDateTime());

        assertThat(freeze.activeUntil(first)).contains(first.plus(Duration.ofMinutes(10)));
        assertThat(freeze.activeUntil(second)).isEmpty();
        assertThat(freeze.activeUntil(second.plus(Duration.ofMinutes(5)))).isEmpty();
        assertThat(freeze.nextInForce(second.minusSeconds(1), Duration.ofMinutes(5))).isEmpty();
        assertThat(freeze.nextInForce(first.plus(Duration.ofMinutes(10)), Duration.ofDays(8)))
                .as("02:30 CET the next Sunday").contains(Instant.parse("2027-11-07T01:30:00Z"));
    }

    @Test
    void freezeStartingInRepeatedHourLastsItsDurationFromTheFirstOccurrence() {
        Freeze freeze = recurring("30 2 * * SUN", Duration.ofMinutes(90), BERLIN);

        // 02:45 CET, in the second pass: the window opened at 02:30 CEST (00:30Z) and lasts 90 min.
        assertThat(freeze.activeUntil(Instant.parse("2027-10-31T01:45:00Z")))
                .contains(Instant.parse("2027-10-31T02:00:00Z"));
        assertThat(freeze.activeUntil(Instant.parse("2027-10-31T02:00:00Z"))).isEmpty();
    }

    @Test
    void hourlyFreezeDoesNotStartAgainInTheRepeatedHour() {
        // cronie would run an hourly job at 02:00 CET as well; a freeze starts once per wall-clock time.
        Freeze freeze = recurring("0 * * * *", Duration.ofMinutes(30), BERLIN);

        assertThat(freeze.activeUntil(Instant.parse("2027-10-31T00:00:00Z"))).as("02:00 CEST")
                .contains(Instant.parse("2027-10-31T00:30:00Z"));
        assertThat(freeze.activeUntil(Instant.parse("2027-10-31T01:00:00Z"))).as("02:00 CET").isEmpty();
        assertThat(freeze.nextInForce(Instant.parse("2027-10-31T00:30:00Z"), Duration.ofHours(2)))
                .as("03:00 CET").contains(Instant.parse("2027-10-31T02:00:00Z"));
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
