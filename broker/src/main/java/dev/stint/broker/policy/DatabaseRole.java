package dev.stint.broker.policy;

import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A database credential role: the scope a task needs to ask for it, and per tier how it is issued.
 * A tier it does not list has no such role.
 *
 * @param backends tier to how the role is issued there, in file order
 */
public record DatabaseRole(String name, Scope scope, Map<Tier, RoleBackend> backends) {

    public DatabaseRole {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    }
}
