package dev.stint.token;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A permission of the form {@code <kind>:<resource>:<action>}, e.g. {@code db:orders:read}.
 * Segments are lower-case letters, digits, '_', '.' and '-' (1-64 characters); a scope never
 * contains a wildcard, only a {@link ScopePattern} does.
 */
public record Scope(String kind, String resource, String action) implements Comparable<Scope> {

    static final Pattern SEGMENT = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    public Scope {
        requireSegment(kind, "kind");
        requireSegment(resource, "resource");
        requireSegment(action, "action");
    }

    /**
     * Parses {@code kind:resource:action}.
     *
     * @throws IllegalArgumentException with a reason a human can act on
     */
    public static Scope parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("scope must have the form <kind>:<resource>:<action>");
        }
        return new Scope(parts[0], parts[1], parts[2]);
    }

    /** Parses a space-separated scope list (the {@code scope} claim), sorted and without repeats. */
    public static List<Scope> parseList(String spaceSeparated) {
        TreeSet<Scope> scopes = new TreeSet<>();
        for (String part : spaceSeparated.trim().split(" +")) {
            if (!part.isEmpty()) {
                scopes.add(parse(part));
            }
        }
        return List.copyOf(scopes);
    }

    /** Sorted, without repeats: the canonical form used in claims, the store and audit. */
    public static List<Scope> canonical(Collection<Scope> scopes) {
        return List.copyOf(new TreeSet<>(scopes));
    }

    /** The space-separated form of the {@code scope} claim. */
    public static String join(Collection<Scope> scopes) {
        StringBuilder out = new StringBuilder();
        for (Scope scope : canonical(scopes)) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(scope);
        }
        return out.toString();
    }

    static void requireSegment(String segment, String name) {
        if (segment == null || !SEGMENT.matcher(segment).matches()) {
            throw new IllegalArgumentException("scope " + name
                    + " must be 1-64 lower-case letters, digits, '_', '.' or '-'");
        }
    }

    @Override
    public int compareTo(Scope other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
        return kind + ":" + resource + ":" + action;
    }
}
