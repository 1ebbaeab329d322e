package dev.stint.broker.policy;

import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task about to be opened (or a token about to be minted for one), as the policy sees it.
 *
 * @param requestedTtl {@code null} to take the tier's default
 */
public record PolicyRequest(Subject subject, Tier tier, List<Scope> scopes, Duration requestedTtl, Instant now) {

    public PolicyRequest {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(tier, "tier");
        scopes = Scope.canonical(scopes);
        Objects.requireNonNull(now, "now");
    }
}
