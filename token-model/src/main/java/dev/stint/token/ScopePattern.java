package dev.stint.token;

import java.util.Objects;

/**
 * A grant pattern such as {@code db:*:read}: each segment is either exact or {@code *}, which
 * matches exactly one whole segment (never part of one, never several).
 */
public record ScopePattern(String kind, String resource, String action) {

    private static final String ANY = "*";

    public ScopePattern {
        requirePatternSegment(kind, "kind");
        requirePatternSegment(resource, "resource");
        requirePatternSegment(action, "action");
    }

    /** @throws IllegalArgumentException with a reason a human can act on */
    public static ScopePattern parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "scope pattern must have the form <kind>:<resource>:<action>, '*' matching one segment");
        }
        return new ScopePattern(parts[0], parts[1], parts[2]);
    }

    public boolean matches(Scope scope) {
        return segmentMatches(kind, scope.kind())
                && segmentMatches(resource, scope.resource())
                && segmentMatches(action, scope.action());
    }

    private static boolean segmentMatches(String pattern, String segment) {
        return ANY.equals(pattern) || pattern.equals(segment);
    }

    private static void requirePatternSegment(String segment, String name) {
        if (!ANY.equals(segment)) {
            Scope.requireSegment(segment, name);
        }
    }

    @Override
    public String toString() {
        return kind + ":" + resource + ":" + action;
    }
}
