package dev.stint.broker.ui;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Instants as the pages show them: UTC to the second, and how far from now. */
final class When {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private When() {
    }

    /** Plain text: {@code 2026-11-24 10:10:00 UTC}. */
    static String at(Instant instant) {
        return FORMAT.format(instant);
    }

    /** A {@code <time>} element with the instant as its machine-readable value. */
    static String time(Instant instant) {
        return "<time datetime=\"" + instant + "\">" + at(instant) + "</time>";
    }

    /** A {@code <time>} element followed by how far it is from {@code now}, e.g. {@code (in 9 min)}. */
    static String time(Instant instant, Instant now) {
        return time(instant) + " <span class=\"relative\">(" + relative(instant, now) + ")</span>";
    }

    static String relative(Instant instant, Instant now) {
        Duration gap = Duration.between(now, instant);
        boolean future = !gap.isNegative();
        String size = span(gap.abs());
        return size.equals("now") ? "now" : future ? "in " + size : size + " ago";
    }

    private static String span(Duration gap) {
        if (gap.toMinutes() < 1) {
            return gap.toSeconds() < 1 ? "now" : gap.toSeconds() + " s";
        }
        if (gap.toHours() < 1) {
            return gap.toMinutes() + " min";
        }
        if (gap.toDays() < 1) {
            long minutes = gap.toMinutesPart();
            return gap.toHours() + " h" + (minutes == 0 ? "" : " " + minutes + " min");
        }
        return gap.toDays() + " d" + (gap.toHoursPart() == 0 ? "" : " " + gap.toHoursPart() + " h");
    }
}
