package dev.stint.broker.pgroles;

import java.util.regex.Pattern;

/**
 * The one shape of name this package lets reach SQL: what PostgreSQL accepts unquoted after
 * folding to lower case, already in lower case. Every name is also double-quoted when rendered, so
 * that a name that happens to be a keyword still means the object; the shape is what makes the
 * quoting safe, since no name can contain a quote.
 */
final class Identifiers {

    /** PostgreSQL's NAMEDATALEN - 1: longer names are silently cut, so two could name one object. */
    static final int MAX_BYTES = 63;

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_$]*");

    private Identifiers() {
    }

    /** True when {@code name} may be used as is. */
    static boolean isValid(String name) {
        return name != null && name.length() <= MAX_BYTES && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid name.
     *
     * @param what what the name is, for the message ("group role", "schema name")
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static String require(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (!name.chars().allMatch(ch -> ch >= ' ' && ch < 0x7f)) {
            throw new IllegalArgumentException(what + " '" + Characters.printable(name)
                    + "' has a character that is not printable ASCII (lookalike letters are refused)");
        }
        if (name.length() > MAX_BYTES) {
            throw new IllegalArgumentException(what + " '" + Characters.shortened(name) + "' is longer than "
                    + MAX_BYTES + " bytes (PostgreSQL would silently cut it)");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a plain lower-case name: "
                    + "a letter or '_', then letters, digits, '_' or '$', unquoted");
        }
        return name;
    }

    /** {@code name} between double quotes; only for names checked by {@link #require}. */
    static String quote(String name) {
        if (!isValid(name)) {
            // A bug, not input: every name is checked where it enters the package.
            throw new IllegalStateException("unchecked name reached SQL");
        }
        return '"' + name + '"';
    }
}
