package dev.stint.broker.policy;

import dev.stint.token.Tier;
import java.util.Optional;

/** Decides whether a task may be opened, with a reason. Implementations are thread safe. */
public interface Policy {

    /** Never {@code null}; a request the policy cannot judge is denied, never allowed. */
    Decision decide(PolicyRequest request);

    /** The tier's limits, or empty when the policy does not define that tier. */
    Optional<TierPolicy> tier(Tier tier);

    /** The document currently in force (for {@code GET /v1/policy} and explanations). */
    PolicyDocument document();
}
