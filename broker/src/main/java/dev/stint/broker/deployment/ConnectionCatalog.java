package dev.stint.broker.deployment;

import dev.stint.token.Tier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The deployment's connections as the policy sees them: name, provider and tier, and no secret.
 * The policy is checked against it at every load, so that a role can only name a connection
 * that exists, serves the role's tier and belongs to the role's provider.
 *
 * @param connections name to connection, in the deployment file's order
 */
public record ConnectionCatalog(Map<String, Connection> connections) {

    /** What {@link #isName} accepts, as said in error messages. */
    public static final String NAME_RULE =
            "connection names are 1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit";

    /** No deployment file, or one without {@code backends}. */
    public static final ConnectionCatalog EMPTY = new ConnectionCatalog(Map.of());

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /** One connection: which provider reaches it, and the one tier it serves. */
    public record Connection(String name, BackendProvider provider, Tier tier) {

        public Connection {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(tier, "tier");
            requireName(name);
        }
    }

    public ConnectionCatalog {
        for (Map.Entry<String, Connection> entry : connections.entrySet()) {
            if (!entry.getKey().equals(entry.getValue().name())) {
                throw new IllegalArgumentException("connection " + entry.getValue().name() + " is listed as "
                        + entry.getKey());
            }
        }
        connections = Collections.unmodifiableMap(new LinkedHashMap<>(connections));
    }

    /** A catalog of these connections, in this order; names must differ. */
    public static ConnectionCatalog of(Connection... connections) {
        Map<String, Connection> byName = new LinkedHashMap<>();
        for (Connection connection : connections) {
            if (byName.put(connection.name(), connection) != null) {
                throw new IllegalArgumentException("connection " + connection.name() + " is listed twice");
            }
        }
        return new ConnectionCatalog(byName);
    }

    /** The connection of that name, or empty. */
    public Optional<Connection> named(String name) {
        return Optional.ofNullable(connections.get(name));
    }

    /** The names of the connections of {@code provider} that serve {@code tier}, in file order; maybe none. */
    public List<String> names(Tier tier, BackendProvider provider) {
        return connections.values().stream()
                .filter(c -> c.tier().equals(tier) && c.provider() == provider)
                .map(Connection::name)
                .toList();
    }

    /** Whether {@code name} is a well-formed connection name: {@code [a-z0-9][a-z0-9_-]{0,62}}. */
    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    static void requireName(String name) {
        if (!isName(name)) {
            throw new IllegalArgumentException(NAME_RULE);
        }
    }
}
