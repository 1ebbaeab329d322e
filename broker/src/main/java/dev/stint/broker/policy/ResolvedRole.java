package dev.stint.broker.policy;

import dev.stint.broker.deployment.BackendProvider;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.util.Objects;
import java.util.Optional;

/**
 * A database role as it applies in one tier, checked against the deployment when the policy was
 * loaded: its connection, if present, exists, serves this tier and belongs to this provider.
 *
 * @param name the role's name in the policy
 * @param scope the scope a task needs to ask for it
 * @param tier the tier asked for
 * @param backend how it is issued there
 */
public record ResolvedRole(String name, Scope scope, Tier tier, RoleBackend backend) {

    public ResolvedRole {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(backend, "backend");
    }

    /** The connection that issues it; empty when the deployment has none for this tier (answer 503). */
    public Optional<String> connection() {
        return backend.connection();
    }

    public BackendProvider provider() {
        return backend.provider();
    }
}
