package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Five-field cron expressions as in crontab(5), evaluated by cron-utils. Calendar used below (2026):
 * Thu 01-01, Sun 01-04, Wed 01-07, Fri 01-09, Sat 01-10, Sun 01-11, Mon 01-12, Tue 01-13, Wed 01-14,
 * Sun 02-01. Daylight saving is specified in {@link FreezeTest}.
 */
class CronScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant utc(String localDateTime) {
        return LocalDateTime.parse(localDateTime).toInstant(ZoneOffset.UTC);
    }

    /** Whether a run starts in the minute of {@code localDateTime} (seconds are ignored), in UTC. */
    private static boolean startsInTheMinuteOf(String expression, String localDateTime) {
        Instant time = utc(localDateTime);
        return CronSchedule.parse(expression).lastStart(time, ZoneOffset.UTC)
                .equals(Optional.of(time.truncatedTo(ChronoUnit.MINUTES)));
    }

    @ParameterizedTest(name = "''{0}'' at {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # single values and seconds
            0 16 * * FRI      | 2026-01-09T16:00    | true
            0 16 * * FRI      | 2026-01-09T16:00:59 | true
            0 16 * * FRI      | 2026-01-09T16:01    | false
            0 16 * * FRI      | 2026-01-09T15:00    | false
            0 16 * * FRI      | 2026-01-08T16:00    | false
            * * * * *         | 2026-01-08T03:27    | true
            # lists
            0,30 * * * *      | 2026-01-08T10:30    | true
            0,30 * * * *      | 2026-01-08T10:00    | true
            0,30 * * * *      | 2026-01-08T10:15    | false
            0 8,12-14 * * *   | 2026-01-08T13:00    | true
            0 8,12-14 * * *   | 2026-01-08T09:00    | false
            # ranges (inclusive)
            0 9-17 * * *      | 2026-01-08T09:00    | true
            0 9-17 * * *      | 2026-01-08T17:00    | true
            0 9-17 * * *      | 2026-01-08T08:00    | false
            0 9-17 * * *      | 2026-01-08T18:00    | false
            # steps
            */15 * * * *      | 2026-01-08T10:45    | true
            */15 * * * *      | 2026-01-08T10:50    | false
            5/20 * * * *      | 2026-01-08T10:05    | true
            5/20 * * * *      | 2026-01-08T10:25    | true
            5/20 * * * *      | 2026-01-08T10:45    | true
            5/20 * * * *      | 2026-01-08T10:20    | false
            10-30/10 * * * *  | 2026-01-08T10:30    | true
            10-30/10 * * * *  | 2026-01-08T10:40    | false
            0 */6 * * *       | 2026-01-08T18:00    | true
            0 */6 * * *       | 2026-01-08T20:00    | false
            # month names, any case
            0 0 * JAN,MAR *   | 2026-01-01T00:00    | true
            0 0 * JAN,MAR *   | 2026-02-01T00:00    | false
            0 0 * jan-feb *   | 2026-02-01T00:00    | true
            # weekday names, any case, and ranges of them
            0 0 * * mon-fri   | 2026-01-12T00:00    | true
            0 0 * * mon-fri   | 2026-01-09T00:00    | true
            0 0 * * mon-fri   | 2026-01-10T00:00    | false
            0 0 * * Sat,Sun   | 2026-01-11T00:00    | true
            # Sunday is both 0 and 7
            0 0 * * 0         | 2026-01-11T00:00    | true
            0 0 * * 7         | 2026-01-11T00:00    | true
            0 0 * * SUN       | 2026-01-11T00:00    | true
            0 0 * * 7         | 2026-01-10T00:00    | false
            0 0 * * 5-7       | 2026-01-09T00:00    | true
            0 0 * * 5-7       | 2026-01-11T00:00    | true
            0 0 * * 5-7       | 2026-01-08T00:00    | false
            # SUN is 0, so SUN-THU runs forwards (cron-utils alone would read 7-4)
            0 0 * * SUN-THU   | 2026-01-11T00:00    | true
            0 0 * * SUN-THU   | 2026-01-08T00:00    | true
            0 0 * * SUN-THU   | 2026-01-09T00:00    | false
            # a step after a single value runs to the end of the field: 7/1 is Sunday alone
            0 0 * * 7/1       | 2026-01-11T00:00    | true
            0 0 * * 7/1       | 2026-01-12T00:00    | false
            # only one day field restricted: it alone decides
            0 0 13 * *        | 2026-01-13T00:00    | true
            0 0 13 * *        | 2026-01-09T00:00    | false
            0 0 * * FRI       | 2026-01-13T00:00    | false
            0 0 1 JAN *       | 2026-01-01T00:00    | true
            0 0 1 JAN *       | 2026-02-01T00:00    | false
            # both day fields restricted: either one matching is enough
            0 0 13 * FRI      | 2026-01-13T00:00    | true
            0 0 13 * FRI      | 2026-01-09T00:00    | true
            0 0 13 * FRI      | 2026-01-14T00:00    | false
            0 0 1 FEB MON     | 2026-01-12T00:00    | false
            """)
    void startsARunInTheMinuteOf(String expression, String localDateTime, boolean expected) {
        assertThat(startsInTheMinuteOf(expression, localDateTime)).isEqualTo(expected);
    }

    @Test
    void startsAreOnTheWallClockOfTheGivenZone() {
        CronSchedule schedule = CronSchedule.parse("0 16 * * FRI");
        Instant friday1600Berlin = Instant.parse("2026-01-09T15:00:00Z");

        assertThat(schedule.lastStart(friday1600Berlin, BERLIN)).contains(friday1600Berlin);
        assertThat(schedule.lastStart(friday1600Berlin, ZoneOffset.UTC))
                .contains(Instant.parse("2026-01-02T16:00:00Z"));
    }

    @Test
    void lastStartIncludesTheGivenInstantAndNextStartExcludesIt() {
        CronSchedule schedule = CronSchedule.parse("0 16 * * FRI");
        Instant start = Instant.parse("2026-01-09T15:00:00Z");

        assertThat(schedule.lastStart(start, BERLIN)).contains(start);
        assertThat(schedule.lastStart(start.minusNanos(1), BERLIN)).contains(Instant.parse("2026-01-02T15:00:00Z"));
        assertThat(schedule.nextStart(start.minusNanos(1), BERLIN)).contains(start);
        assertThat(schedule.nextStart(start, BERLIN)).contains(Instant.parse("2026-01-16T15:00:00Z"));
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                  | a schedule has five fields: minute hour day-of-month month day-of-week
            0 16 * *            | a schedule has five fields: minute hour day-of-month month day-of-week
            0 16 * * FRI *      | a schedule has five fields: minute hour day-of-month month day-of-week
            60 * * * *          | minute value 60 is outside 0-59
            * 24 * * *          | hour value 24 is outside 0-23
            * * 0 * *           | day of month value 0 is outside 1-31
            * * 32 * *          | day of month value 32 is outside 1-31
            * * * 0 *           | month value 0 is outside 1-12
            * * * 13 *          | month value 13 is outside 1-12
            * * * * 8           | day of week value 8 is outside 0-7
            * * * * FRX         | day of week value 'FRX' is not a number or a name like MON
            * * * JANUARY *     | month value 'JANUARY' is not a number or a name like FEB
            x * * * *           | minute value 'x' is not a number
            1,,2 * * * *        | minute value '' is not a number
            5-1 * * * *         | minute range '5-1' runs backwards
            1-2-3 * * * *       | minute range '1-2-3' is malformed
            */0 * * * *         | minute value 0 is outside 1-59
            * * * * FRI-MON     | day of week range 'FRI-MON' runs backwards
            * * * * MON-        | day of week value '' is not a number or a name like MON
            +5 * * * *          | minute value '+5' is not a number
            0 0 30 2 *          | the schedule never fires: none of its months has that day of month
            0 0 31 4,6,9,11 *   | the schedule never fires: none of its months has that day of month
            """)
    void rejectsMalformedExpressionsSayingWhichFieldAndWhy(String expression, String message) {
        assertThatThrownBy(() -> CronSchedule.parse(expression))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void toStringIsTheFieldsSeparatedBySingleSpaces() {
        assertThat(CronSchedule.parse("  0 16 * * FRI ")).hasToString("0 16 * * FRI");
        assertThat(CronSchedule.parse("0\t16  * *   FRI")).hasToString("0 16 * * FRI");
    }

    @Test
    void fieldsMaybeSeparatedByAnyWhitespace() {
        assertThat(startsInTheMinuteOf("0\t16  * *   FRI", "2026-01-09T16:00")).isTrue();
    }

    @Test
    void schedulesWithTheSameFieldsAreEqual() {
        assertThat(CronSchedule.parse("0\t16  * *   FRI")).isEqualTo(CronSchedule.parse("0 16 * * FRI"))
                .hasSameHashCodeAs(CronSchedule.parse("0 16 * * FRI"))
                .isNotEqualTo(CronSchedule.parse("0 16 * * SAT"));
    }

    @Test
    void scheduleOnlyOnLeapDaysFires() {
        assertThat(CronSchedule.parse("0 0 29 2 *").lastStart(utc("2027-06-01T00:00"), ZoneOffset.UTC))
                .contains(utc("2024-02-29T00:00"));
    }

    @Test
    void dayFieldStartingWithAStarIsUnrestrictedForTheOrRule() {
        String schedule = "0 0 */2 * MON";

        assertThat(startsInTheMinuteOf(schedule, "2026-01-12T00:00")).as("Monday the 12th (even day)").isFalse();
        assertThat(startsInTheMinuteOf(schedule, "2026-01-07T00:00")).as("Wednesday the 7th (not Monday)").isFalse();
        assertThat(startsInTheMinuteOf(schedule, "2026-01-05T00:00")).as("Monday the 5th").isTrue();
    }
}
