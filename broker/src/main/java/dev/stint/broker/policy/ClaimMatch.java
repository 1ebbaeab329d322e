package dev.stint.broker.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one claim of a CI token must be for a federation rule to match: one of some exact values,
 * or a glob where the policy wrote {@code {glob: "refs/heads/release-*"}}. Only JSON strings ever
 * match: a number, boolean, list or object in the token matches nothing, so that
 * {@code repository_id: 892734} (a number) is not {@code "892734"} by accident.
 *
 * <p>In a glob, {@code *} is any run of characters except {@code /}, {@code **} any run at all,
 * {@code ?} one character except {@code /}; everything else is literal.
 */
public record ClaimMatch(Set<String> exact, List<String> globs) {

    public ClaimMatch {
        exact = Set.copyOf(exact);
        globs = List.copyOf(globs);
        if (exact.isEmpty() && globs.isEmpty()) {
            throw new IllegalArgumentException("a claim match needs at least one value");
        }
    }

    public boolean matches(Object claim) {
        if (!(claim instanceof String value)) {
            return false;
        }
        if (exact.contains(value)) {
            return true;
        }
        for (String glob : globs) {
            if (regex(glob).matcher(value).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code value} is one of the exact values: a glob never counts as naming a value. */
    public boolean names(String value) {
        return exact.contains(value);
    }

    static Pattern regex(String glob) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                out.append(".*");
                i++;
            } else if (c == '*') {
                out.append("[^/]*");
            } else if (c == '?') {
                out.append("[^/]");
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(out.toString(), Pattern.DOTALL);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClaimMatch match && exact.equals(match.exact) && globs.equals(match.globs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(exact, globs);
    }
}
