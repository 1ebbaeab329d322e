package dev.stint.broker.policy;

import dev.stint.broker.deployment.BackendProvider;
import dev.stint.broker.deployment.ConnectionCatalog;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A role the built-in provider creates: a login that gets {@code grants} and joins the existing
 * group roles {@code inRoles}. Both were checked by a {@link DatabaseRoleSyntax} when the policy
 * was loaded.
 *
 * @param connection see {@link RoleBackend#connection()}
 * @param grants privileges and objects, one clause per item (such as
 *     {@code SELECT ON ALL TABLES IN SCHEMA public}); a single string in the file is one clause.
 *     Not empty
 * @param inRoles existing group roles the login joins; may be empty
 */
public record PostgresRole(Optional<String> connection, List<String> grants, List<String> inRoles)
        implements RoleBackend {

    public PostgresRole {
        Objects.requireNonNull(connection, "connection");
        if (connection.isPresent() && !ConnectionCatalog.isName(connection.get())) {
            throw new IllegalArgumentException(ConnectionCatalog.NAME_RULE);
        }
        grants = List.copyOf(grants);
        inRoles = List.copyOf(inRoles);
        if (grants.isEmpty()) {
            throw new IllegalArgumentException("a postgres role needs at least one grant");
        }
    }

    @Override
    public BackendProvider provider() {
        return BackendProvider.POSTGRES;
    }
}
