package dev.stint.broker.policy;

import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A freeze as it stands at one instant, when it is in force: where it holds, what it denies, why,
 * and when its window closes.
 *
 * @param tiers the tiers it freezes
 * @param deny the actions it denies there (the last segment of a scope)
 * @param reason the policy's words for it, carried into every denial and every end it causes
 * @param until when the window in force ends (exclusive)
 * @param breakGlassQuorum the approvers that may allow a frozen action anyway; 0 for none
 */
public record FreezeInForce(Set<Tier> tiers, Set<String> deny, String reason, Instant until, int breakGlassQuorum) {

    /** A freeze in force without break-glass. */
    public FreezeInForce(Set<Tier> tiers, Set<String> deny, String reason, Instant until) {
        this(tiers, deny, reason, until, 0);
    }

    public boolean hasBreakGlass() {
        return breakGlassQuorum > 0;
    }

    public FreezeInForce {
        tiers = Set.copyOf(tiers);
        deny = Set.copyOf(deny);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(until, "until");
    }

    /**
     * The actions of {@code scopes} this freeze denies in {@code tier}, sorted and without repeats;
     * empty when it does not freeze that tier or denies none of them.
     */
    public List<String> frozenActions(Tier tier, Collection<Scope> scopes) {
        if (!tiers.contains(tier)) {
            return List.of();
        }
        return scopes.stream().map(Scope::action).filter(deny::contains).distinct().sorted().toList();
    }
}
