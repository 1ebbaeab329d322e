package dev.stint.broker.policy;

import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Decides whether a task may be opened, with a reason. Implementations are thread safe. */
public interface Policy {

    /** Never {@code null}; a request the policy cannot judge is denied, never allowed. */
    Decision decide(PolicyRequest request);

    /** The tier's limits, or empty when the policy does not define that tier. */
    Optional<TierPolicy> tier(Tier tier);

    /**
     * The earliest instant in {@code [from, from + horizon]} at which a freeze denies one of
     * {@code scopes}' actions in {@code tier}; empty when none does. A credential minted now must
     * not outlive that instant.
     */
    default Optional<Instant> nextFreeze(Tier tier, List<Scope> scopes, Instant from, Duration horizon) {
        return nextFreeze(tier, scopes, from, horizon, 0);
    }

    /**
     * As {@link #nextFreeze(Tier, List, Instant, Duration)}, for a task that {@code breakGlassApprovals}
     * people approved as break-glass (0 for none): a freeze whose break-glass quorum they meet does
     * not count.
     */
    Optional<Instant> nextFreeze(Tier tier, List<Scope> scopes, Instant from, Duration horizon,
            int breakGlassApprovals);

    /**
     * The freezes in force at {@code now} (a window holds from its start, inclusive, to its end,
     * exclusive), in the policy's order; empty when none is. Tasks that hold an action one of them
     * denies in its tier are ended while it is in force.
     */
    List<FreezeInForce> freezesInForce(Instant now);

    /** The document currently in force (for {@code GET /v1/policy} and explanations). */
    PolicyDocument document();

    /** {@link PolicyDocument#databaseRole} of the document currently in force. */
    default Optional<ResolvedRole> databaseRole(String name, Tier tier) {
        return document().databaseRole(name, tier);
    }
}
