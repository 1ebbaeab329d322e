package dev.stint.token;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An environment class such as {@code dev}, {@code staging} or {@code prod}. Which tiers exist is
 * policy; this type only guarantees the name is well formed.
 *
 * @param name lower-case letters, digits and hyphens, 1 to 32 characters, starting with a letter
 */
public record Tier(String name) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public Tier {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "tier must be 1-32 lower-case letters, digits or '-', starting with a letter");
        }
    }

    /** Parses a tier name, or returns {@code null} when it is not well formed. */
    public static Tier parseOrNull(String name) {
        return name != null && NAME.matcher(name).matches() ? new Tier(name) : null;
    }

    @Override
    public String toString() {
        return name;
    }
}
