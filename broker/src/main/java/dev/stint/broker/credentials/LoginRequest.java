package dev.stint.broker.credentials;

import java.util.List;
import java.util.Objects;

/** What the policy grants a database login, by the kind of backend that makes it. */
public sealed interface LoginRequest {

    /**
     * A login of the built-in PostgreSQL provider.
     *
     * @param grants the policy's grant clauses, already checked at load
     * @param inRoles existing group roles the login joins
     */
    record Postgres(List<String> grants, List<String> inRoles) implements LoginRequest {
        public Postgres {
            grants = List.copyOf(grants);
            inRoles = List.copyOf(inRoles);
        }
    }

    /** A login of a Vault database secrets engine role. */
    record Vault(String vaultRole) implements LoginRequest {
        public Vault {
            Objects.requireNonNull(vaultRole, "vaultRole");
        }
    }
}
