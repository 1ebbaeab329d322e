package dev.stint.broker.policy;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) with lists,
 * ranges, steps and English month and weekday names, as in crontab(5): when both day fields are
 * restricted, a time matches if either does; a day field starting with {@code *} does not restrict.
 *
 * <p>This class reads the fields itself, so that an error names the field, and hands cron-utils
 * plain numbers: cron-utils reads some fields differently from crontab(5) ({@code SUN-THU} runs
 * backwards there, and a stepped star restricts the day). cron-utils then finds the runs on the
 * wall clock, and this class turns each wall-clock run into one instant in the zone. Asked in the
 * zone itself, cron-utils 9.2.1 drops a run whose time falls in a spring-forward gap, and in the
 * second pass of a fall-back hour it reports that hour's runs again. Here every wall-clock run
 * starts once:
 * <ul>
 *   <li>in a gap (02:30 on a spring-forward day in Europe/Berlin) it starts when the gap ends
 *       (03:00 CEST), as cronie and Vixie cron run such jobs as soon as the clocks have jumped;
 *   <li>in a repeated hour it starts at the first occurrence (the earlier offset), as they run a
 *       fixed-time job once. Unlike them, a schedule with a wildcard hour or minute does not start
 *       again in the second pass: a freeze schedule names wall-clock times, each starting one window.
 * </ul>
 * So starts never go backwards: a later wall-clock run never starts before an earlier one.
 *
 * <p>Thread-safe. Policy is checked on every mint, so the two starts around the latest query are
 * remembered: until the next start, both questions are answered without asking cron-utils.
 */
public final class CronSchedule {

    private static final List<String> MONTHS = List.of(
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /** ASCII only (Integer.parseInt also takes "+5" and other scripts' digits), short enough for an int. */
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    /** Wall-clock times are given to cron-utils in UTC, a zone without daylight saving. */
    private static final ZoneOffset WALL_CLOCK = ZoneOffset.UTC;
    /** Every schedule that fires at all fires within eight years of this (29 February included). */
    private static final ZonedDateTime FIRES_AFTER = LocalDateTime.of(2000, 1, 1, 0, 0).atZone(WALL_CLOCK);

    /** Either day field matching is enough: crontab(5) when both are restricted. */
    private static final CronParser EITHER_DAY =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** Both day fields must match: crontab(5) when one starts with '*'. */
    private static final CronParser BOTH_DAYS = new CronParser(bothDays());

    private final String expression;
    private final ExecutionTime runs;
    private final AtomicReference<Span> latest = new AtomicReference<>();

    private CronSchedule(String expression, ExecutionTime runs) {
        this.expression = expression;
        this.runs = runs;
    }

    /** @throws IllegalArgumentException saying which field is wrong and why */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String[] fields = expression.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException(
                    "a schedule has five fields: minute hour day-of-month month day-of-week");
        }
        BitSet minutes = field(fields[0], "minute", 0, 59, List.of(), 0);
        BitSet hours = field(fields[1], "hour", 0, 23, List.of(), 0);
        BitSet daysOfMonth = field(fields[2], "day of month", 1, 31, List.of(), 1);
        BitSet months = field(fields[3], "month", 1, 12, MONTHS, 1);
        BitSet daysOfWeek = field(fields[4], "day of week", 0, 7, DAYS, 0);
        if (daysOfWeek.get(7)) {
            daysOfWeek.set(0);
            daysOfWeek.clear(7);
        }
        String plain = String.join(" ", plain(fields[0], minutes), plain(fields[1], hours),
                plain(fields[2], daysOfMonth), plain(fields[3], months), plain(fields[4], daysOfWeek));
        CronParser parser = fields[2].startsWith("*") || fields[4].startsWith("*") ? BOTH_DAYS : EITHER_DAY;
        ExecutionTime runs = ExecutionTime.forCron(parser.parse(plain));
        if (runs.nextExecution(FIRES_AFTER).isEmpty()) {
            throw new IllegalArgumentException("the schedule never fires: none of its months has that day of month");
        }
        return new CronSchedule(String.join(" ", fields), runs);
    }

    /**
     * The latest start at or before {@code time} in {@code zone}; empty only if cron-utils'
     * search finds none ({@link #parse} rejects a schedule that never fires).
     */
    public Optional<Instant> lastStart(Instant time, ZoneId zone) {
        return span(time, zone).last();
    }

    /**
     * The earliest start strictly after {@code time} in {@code zone}; empty only if cron-utils'
     * search finds none ({@link #parse} rejects a schedule that never fires).
     */
    public Optional<Instant> nextStart(Instant time, ZoneId zone) {
        return span(time, zone).next();
    }

    private Span span(Instant time, ZoneId zone) {
        Span span = latest.get();
        if (span != null && span.holds(time, zone)) {
            return span;
        }
        span = new Span(zone, askLast(time, zone), askNext(time, zone));
        latest.set(span);
        return span;
    }

    /**
     * The starts around a query: no start lies between them, so they answer every query from
     * {@code last} (inclusive) to {@code next} (exclusive).
     */
    private record Span(ZoneId zone, Optional<Instant> last, Optional<Instant> next) {

        boolean holds(Instant time, ZoneId zone) {
            return this.zone.equals(zone) && last.isPresent() && next.isPresent()
                    && !time.isBefore(last.get()) && time.isBefore(next.get());
        }
    }

    private Optional<Instant> askLast(Instant time, ZoneId zone) {
        ZonedDateTime here = time.atZone(zone);
        ZoneOffsetTransition overlap = secondPassOf(here);
        // cron-utils answers strictly before: the next wall-clock minute, or the end of the repeated
        // hour, every run of which started (at its first occurrence) before this second pass.
        LocalDateTime before = overlap != null
                ? overlap.getDateTimeBefore()
                : here.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        return runs.lastExecution(before.atZone(WALL_CLOCK)).map(run -> startOf(run.toLocalDateTime(), zone));
    }

    private Optional<Instant> askNext(Instant time, ZoneId zone) {
        ZonedDateTime here = time.atZone(zone);
        ZoneOffsetTransition overlap = secondPassOf(here);
        // cron-utils answers strictly after: this wall-clock minute (runs start on whole minutes),
        // or the last minute of the repeated hour, every run of which has already started.
        LocalDateTime after = overlap != null
                ? overlap.getDateTimeBefore().minusMinutes(1)
                : here.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
        return runs.nextExecution(after.atZone(WALL_CLOCK)).map(run -> startOf(run.toLocalDateTime(), zone));
    }

    /** The fall-back transition whose second pass (the later offset) holds {@code here}, or null. */
    private static ZoneOffsetTransition secondPassOf(ZonedDateTime here) {
        ZoneOffsetTransition transition = here.getZone().getRules().getTransition(here.toLocalDateTime());
        return transition != null && transition.isOverlap() && here.getOffset().equals(transition.getOffsetAfter())
                ? transition : null;
    }

    /** The one instant a wall-clock run starts at (see the class comment for gaps and repeats). */
    private static Instant startOf(LocalDateTime run, ZoneId zone) {
        ZoneOffsetTransition transition = zone.getRules().getTransition(run);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        // Not in a gap: java.time takes the earlier offset for a time of a repeated hour.
        return run.atZone(zone).toInstant();
    }

    private static CronDefinition bothDays() {
        // cron-utils' UNIX definition, with both day fields required to match.
        return CronDefinitionBuilder.defineCron()
                .withMinutes().withValidRange(0, 59).withStrictRange().and()
                .withHours().withValidRange(0, 23).withStrictRange().and()
                .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
                .withMonth().withValidRange(1, 12).withStrictRange().and()
                .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
                .matchDayOfWeekAndDayOfMonth()
                .instance();
    }

    /**
     * The field as cron-utils should read it: {@code *} stays (it does not restrict); other values
     * as one stepped range if they form one, else as runs: days written out one by one cost
     * cron-utils tens to hundreds of times as long to search.
     */
    private static String plain(String text, BitSet values) {
        if (text.equals("*")) {
            return "*";
        }
        int first = values.nextSetBit(0);
        int last = values.length() - 1;
        int step = values.nextSetBit(first + 1) - first;
        if (step > 0 && (last - first) % step == 0 && values.cardinality() == (last - first) / step + 1
                && IntStream.rangeClosed(0, (last - first) / step).allMatch(k -> values.get(first + k * step))) {
            return first + "-" + last + (step == 1 ? "" : "/" + step);
        }
        StringJoiner runs = new StringJoiner(",");
        for (int from = first; from >= 0; from = values.nextSetBit(values.nextClearBit(from))) {
            int to = values.nextClearBit(from) - 1;
            runs.add(from == to ? Integer.toString(from) : from + "-" + to);
        }
        return runs.toString();
    }

    private static BitSet field(String text, String name, int min, int max, List<String> names, int nameBase) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), name, 1, max, List.of(), 0);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw new IllegalArgumentException(name + " range '" + part + "' is malformed");
                }
                from = number(ends[0], name, min, max, names, nameBase);
                to = number(ends[1], name, min, max, names, nameBase);
                if (from > to) {
                    throw new IllegalArgumentException(name + " range '" + part + "' runs backwards");
                }
            } else {
                from = number(range, name, min, max, names, nameBase);
                to = slash >= 0 ? max : from;
            }
            for (int value = from; value <= to; value += step) {
                bits.set(value);
            }
        }
        return bits;
    }

    private static int number(String text, String name, int min, int max, List<String> names, int nameBase) {
        int index = names.indexOf(text.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return index + nameBase;
        }
        if (!DIGITS.matcher(text).matches()) {
            throw new IllegalArgumentException(name + " value '" + text + "' is not a number"
                    + (names.isEmpty() ? "" : " or a name like " + names.get(1)));
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " value " + value + " is outside " + min + "-" + max);
        }
        return value;
    }

    /** Same fields, however they were spaced. */
    @Override
    public boolean equals(Object other) {
        return other instanceof CronSchedule schedule && schedule.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    /** The five fields, separated by single spaces. */
    @Override
    public String toString() {
        return expression;
    }
}
