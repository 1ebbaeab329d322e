package dev.stint.broker.policy;

import java.util.List;

/**
 * A stopgap {@link DatabaseRoleSyntax} that parses nothing: it refuses every character sequence
 * that could end a statement, open a quoted name or string, or start a comment, so that nothing
 * dangerous loads before the real grammar ({@code pgroles.Grants}, {@code pgroles.GroupRole})
 * replaces it. What it lets through is checked again by that grammar before anything is run.
 */
final class ConservativeRoleSyntax implements DatabaseRoleSyntax {

    static final ConservativeRoleSyntax INSTANCE = new ConservativeRoleSyntax();

    static final int MAX_CLAUSE_LENGTH = 1000;
    /** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
    static final int MAX_ROLE_LENGTH = 63;

    private ConservativeRoleSyntax() {
    }

    @Override
    public void checkGrants(List<String> clauses) {
        for (String clause : clauses) {
            check(clause, MAX_CLAUSE_LENGTH, "a grant is privileges and objects, such as SELECT ON ALL TABLES IN"
                    + " SCHEMA public");
        }
    }

    @Override
    public void checkGroupRole(String name) {
        check(name, MAX_ROLE_LENGTH, "a group role is the name of one existing role");
        if (name.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',')) {
            throw new IllegalArgumentException("must not contain spaces or ',': a group role is the name of one"
                    + " existing role");
        }
    }

    private static void check(String text, int maxLength, String what) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty: " + what);
        }
        if (text.length() > maxLength) {
            throw new IllegalArgumentException("must be at most " + maxLength + " characters: " + what);
        }
        String refused = refused(text);
        if (refused != null) {
            throw new IllegalArgumentException("must not contain " + refused + ": " + what);
        }
    }

    /** The first refused sequence in {@code text}, as named in messages, or {@code null}. */
    private static String refused(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String next = text.substring(i, Math.min(i + 2, text.length()));
            if (c == ';') {
                return "';' (one statement each)";
            }
            if (c == '\'' || c == '"') {
                return "quotes";
            }
            if (c == '\\') {
                return "'\\'";
            }
            if (next.equals("--") || next.equals("/*") || next.equals("*/")) {
                return "comments ('--', '/*', '*/')";
            }
            // Format characters (bidi overrides, zero-width) and line separators hide text from a reader.
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                return "control characters";
            }
        }
        return null;
    }
}
