package dev.stint.broker.credentials;

import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.util.Objects;
import java.util.Optional;

/** The database roles the policy defines, as the credentials feature asks for them. */
@FunctionalInterface
public interface RoleCatalog {

    /** No roles at all. */
    RoleCatalog NONE = (name, tier) -> Optional.empty();

    /** Role {@code name} for {@code tier}; empty when the policy defines no such role for that tier. */
    Optional<GrantableRole> find(String name, Tier tier);

    /**
     * A role a task of its tier may ask for when it holds {@code scope}.
     *
     * @param connection the backend connection that makes its logins; empty when the deployment
     *     has none for the tier (a request is then answered 503)
     */
    record GrantableRole(String name, Scope scope, Lease.Provider provider, Optional<String> connection,
            LoginRequest request) {
        public GrantableRole {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(request, "request");
        }
    }
}
