package dev.stint.broker.policy;

import java.time.Duration;

/** Durations in the policy file's own notation, e.g. {@code 1h30m}, for messages. */
public final class Durations {

    private Durations() {
    }

    public static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        long rest = seconds % 60;
        if (days > 0) {
            out.append(days).append('d');
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (rest > 0) {
            out.append(rest).append('s');
        }
        return out.toString();
    }
}
