package dev.stint.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 90s}, {@code 15m}, {@code 1h}, {@code 1h30m}. */
final class Durations {

    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,6}[hms])+");
    private static final Pattern PART = Pattern.compile("(\\d{1,6})([hms])");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming the accepted forms */
    static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 90s, 15m, 1h or 1h30m");
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        if (total.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is no time at all");
        }
        return total;
    }

    /** A duration written back the same way, e.g. {@code 4m5s}. */
    static String format(Duration duration) {
        long seconds = duration.toSeconds();
        StringBuilder out = new StringBuilder();
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            out.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 != 0 || out.length() == 0) {
            out.append(seconds % 60).append('s');
        }
        return out.toString();
    }
}
