package dev.stint.broker.pgroles;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The privileges a policy may grant a task login. {@code ALL [PRIVILEGES]} is not among them: it
 * means more with each PostgreSQL release (17 added {@code MAINTAIN}), so a reviewed policy would
 * silently grant what nobody reviewed. Which of these apply to which objects is
 * {@link ObjectKind}'s business.
 */
enum Privilege {
    SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, USAGE, EXECUTE, CONNECT, TEMPORARY, CREATE;

    /** The privilege a keyword names, in any case; {@code TEMP} is PostgreSQL's short form of TEMPORARY. */
    static Optional<Privilege> of(String word) {
        String upper = word.toUpperCase(Locale.ROOT);
        if (upper.equals("TEMP")) {
            return Optional.of(TEMPORARY);
        }
        return Arrays.stream(values()).filter(p -> p.name().equals(upper)).findFirst();
    }

    /** All of them, for messages: "SELECT, INSERT, ...". */
    static String allowed() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
