package dev.stint.token;

import java.util.regex.Pattern;

/** The one shape Stint accepts for identifiers that reach SQL, logs, usernames and URLs. */
final class Identifier {

    /** Letters, digits, '.', '_' and '-', 1 to 64 characters, starting with a letter or digit. */
    static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Identifier() {
    }

    static String require(String value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (!PATTERN.matcher(value).matches()) {
            throw new IllegalArgumentException(what
                    + " must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }
}
