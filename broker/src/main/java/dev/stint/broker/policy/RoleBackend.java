package dev.stint.broker.policy;

import dev.stint.broker.deployment.BackendProvider;
import java.util.Optional;

/**
 * How a database role is issued in one tier: by the built-in PostgreSQL provider
 * ({@link PostgresRole}) or by a Vault database secrets engine ({@link VaultRole}).
 */
public sealed interface RoleBackend permits PostgresRole, VaultRole {

    /**
     * The deployment connection that issues it: the one the policy names, or the tier's only
     * connection of this provider when the policy names none. Empty when the deployment has no
     * connection of this provider for the tier: a request for it then answers 503.
     */
    Optional<String> connection();

    BackendProvider provider();
}
