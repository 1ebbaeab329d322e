package dev.stint.broker.pgroles;

import dev.stint.token.Tier;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The name of one task login: {@code stint_<tier>_<16 hex digits>}, e.g.
 * {@code stint_staging_3f9a0c21d47be810}, 35 bytes at most. The tier part is the tier's name with
 * its hyphens dropped, cut to 12 characters, so that a DBA can tell tiers apart in
 * {@code pg_stat_activity}; the 64 random bits make it unique. Nothing of a client's request
 * reaches the name: the tier is one the policy defines, and it is reduced to {@code [a-z0-9]}
 * anyway.
 *
 * <p>The exact shape is also how the reaper recognises Stint's logins ({@link #isStintName}): a
 * role named {@code stint_x}, or {@code stint_admin}, does not have it.
 *
 * @param value a name of that shape
 */
public record RoleName(String value) {

    private static final int TIER_CHARS = 12;
    private static final int RANDOM_BYTES = 8;
    private static final Pattern SHAPE = Pattern.compile("stint_[a-z0-9]{1," + TIER_CHARS + "}_[0-9a-f]{16}");
    private static final RandomGenerator RANDOM = new SecureRandom();

    public RoleName {
        if (!isStintName(value)) {
            throw new IllegalArgumentException("role name rejected: '" + Characters.printable(String.valueOf(value))
                    + "' is not a Stint task login (stint_<tier>_<16 hex digits>)");
        }
    }

    /** A fresh name for a login of {@code tier}, from a {@link SecureRandom}. */
    public static RoleName generate(Tier tier) {
        return generate(tier, RANDOM);
    }

    /** A fresh name for a login of {@code tier}, with random bits from {@code random}. */
    public static RoleName generate(Tier tier, RandomGenerator random) {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(random, "random");
        String label = tier.name().replaceAll("[^a-z0-9]", "");
        label = label.substring(0, Math.min(label.length(), TIER_CHARS));
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return new RoleName("stint_" + label + "_" + HexFormat.of().formatHex(bytes));
    }

    /** True when {@code name} has the exact shape of a Stint task login; false for null. */
    public static boolean isStintName(String name) {
        return name != null && SHAPE.matcher(name).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
