package dev.stint.broker.policy;

import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.util.Map;
import java.util.Objects;

/**
 * A database credential role: the scope a task needs to ask for it, and per tier which provider
 * issues it with which settings (e.g. {@code provider: vault, role: orders-ro}).
 */
public record DatabaseRole(String name, Scope scope, Map<Tier, Map<String, String>> backends) {

    public DatabaseRole {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        backends = Map.copyOf(backends);
    }
}
