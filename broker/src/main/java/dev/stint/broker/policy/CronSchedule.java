package dev.stint.broker.policy;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) with lists,
 * ranges, steps and English month and weekday names, as in crontab(5): when both day fields are
 * restricted, a time matches if either does. Immutable.
 */
public final class CronSchedule {

    private static final List<String> MONTHS = List.of(
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronSchedule(String expression, String[] fields) {
        this.expression = expression;
        this.minutes = field(fields[0], "minute", 0, 59, List.of(), 0);
        this.hours = field(fields[1], "hour", 0, 23, List.of(), 0);
        this.daysOfMonth = field(fields[2], "day of month", 1, 31, List.of(), 1);
        this.months = field(fields[3], "month", 1, 12, MONTHS, 1);
        BitSet dow = field(fields[4], "day of week", 0, 7, DAYS, 0);
        if (dow.get(7)) {
            dow.set(0);
        }
        this.daysOfWeek = dow;
        // As crontab(5): a day field starting with '*' (also '*/2') does not restrict.
        this.dayOfMonthRestricted = !fields[2].startsWith("*");
        this.dayOfWeekRestricted = !fields[4].startsWith("*");
    }

    /** @throws IllegalArgumentException saying which field is wrong and why */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String[] fields = expression.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException(
                    "a schedule has five fields: minute hour day-of-month month day-of-week");
        }
        return new CronSchedule(expression.trim(), fields);
    }

    /** Whether a run starts in the minute of {@code time} (seconds are ignored). */
    public boolean matches(ZonedDateTime time) {
        if (!minutes.get(time.getMinute()) || !hours.get(time.getHour())
                || !months.get(time.getMonthValue())) {
            return false;
        }
        boolean dom = daysOfMonth.get(time.getDayOfMonth());
        boolean dow = daysOfWeek.get(time.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : time.getDayOfWeek().getValue());
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dom || dow;
        }
        return dom && dow;
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
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " value " + value + " is outside " + min + "-" + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " value '" + text + "' is not a number"
                    + (names.isEmpty() ? "" : " or a name like " + names.get(1)));
        }
    }

    @Override
    public String toString() {
        return expression;
    }
}
