package dev.stint.broker.policy;

import dev.stint.broker.deployment.BackendProvider;
import dev.stint.broker.deployment.ConnectionCatalog;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A role of a Vault database secrets engine: Vault creates the login as that role defines.
 *
 * @param connection see {@link RoleBackend#connection()}
 * @param vaultRole the engine's role name, 1-128 of {@code A-Z a-z 0-9 _ -} (it becomes part of a
 *     request path)
 */
public record VaultRole(Optional<String> connection, String vaultRole) implements RoleBackend {

    /** What {@link #isVaultRole} accepts, as said in error messages. */
    public static final String ROLE_RULE = "a Vault role is 1 to 128 of A-Z a-z 0-9 _ -";

    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    public VaultRole {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(vaultRole, "vaultRole");
        if (connection.isPresent() && !ConnectionCatalog.isName(connection.get())) {
            throw new IllegalArgumentException(ConnectionCatalog.NAME_RULE);
        }
        if (!isVaultRole(vaultRole)) {
            throw new IllegalArgumentException(ROLE_RULE);
        }
    }

    @Override
    public BackendProvider provider() {
        return BackendProvider.VAULT;
    }

    public static boolean isVaultRole(String name) {
        return ROLE.matcher(name).matches();
    }
}
