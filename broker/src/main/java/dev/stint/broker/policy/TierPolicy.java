package dev.stint.broker.policy;

import dev.stint.token.Tier;
import java.time.Duration;
import java.util.Objects;

/** How long tasks in one tier may live: asked-for TTLs are capped at {@code maxTtl}. */
public record TierPolicy(Tier tier, Duration maxTtl, Duration defaultTtl) {

    public TierPolicy {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(maxTtl, "maxTtl");
        Objects.requireNonNull(defaultTtl, "defaultTtl");
    }
}
