package dev.stint.broker.credentials;

import dev.stint.broker.deployment.BackendProvider;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.policy.PostgresRole;
import dev.stint.broker.policy.ResolvedRole;
import dev.stint.broker.policy.VaultRole;
import dev.stint.token.Tier;
import java.util.Objects;
import java.util.Optional;

/** The policy in force (reloaded as it changes) as the catalog of database roles. */
public final class PolicyRoles implements RoleCatalog {

    private final Policy policy;

    public PolicyRoles(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public Optional<GrantableRole> find(String name, Tier tier) {
        return policy.databaseRole(name, tier).map(PolicyRoles::grantable);
    }

    private static GrantableRole grantable(ResolvedRole role) {
        LoginRequest request;
        if (role.backend() instanceof PostgresRole postgres) {
            request = new LoginRequest.Postgres(postgres.grants(), postgres.inRoles());
        } else {
            request = new LoginRequest.Vault(((VaultRole) role.backend()).vaultRole());
        }
        Lease.Provider provider = role.provider() == BackendProvider.POSTGRES ? Lease.Provider.POSTGRES
                : Lease.Provider.VAULT;
        return new GrantableRole(role.name(), role.scope(), provider, role.connection(), request);
    }
}
