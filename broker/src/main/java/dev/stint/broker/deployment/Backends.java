package dev.stint.broker.deployment;

import dev.stint.token.Tier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deployment file's {@code backends}: where database logins come from, per tier. Checked as
 * a whole here too (so that code cannot build what the file reader refuses): names are unique
 * across providers, each map is keyed by its connections' names, and a Vault connection's
 * {@code sessions} is a postgres connection of the same tier.
 *
 * @param postgres name to connection of the built-in provider, in file order
 * @param vault name to Vault (or OpenBao) connection, in file order
 */
public record Backends(Map<String, PostgresBackend> postgres, Map<String, VaultBackend> vault) {

    /** No deployment file, or one without {@code backends}: every database-credential request answers 503. */
    public static final Backends NONE = new Backends(Map.of(), Map.of());

    public Backends {
        postgres = keyedByName(postgres);
        vault = keyedByName(vault);
        for (VaultBackend engine : vault.values()) {
            if (postgres.containsKey(engine.name())) {
                throw new IllegalArgumentException("the connection name " + engine.name()
                        + " is used by both a postgres and a vault connection");
            }
            if (engine.sessions().isPresent()) {
                PostgresBackend sessions = postgres.get(engine.sessions().get());
                if (sessions == null || !sessions.tier().equals(engine.tier())) {
                    throw new IllegalArgumentException("the sessions of vault connection " + engine.name()
                            + " must be a postgres connection of tier " + engine.tier());
                }
            }
        }
    }

    /** The connection of that name, of either provider, or empty. */
    public Optional<Backend> named(String name) {
        Backend backend = postgres.get(name);
        return Optional.ofNullable(backend != null ? backend : vault.get(name));
    }

    /** The connections of {@code provider} that serve {@code tier}, in file order; maybe none. */
    public List<Backend> forTier(Tier tier, BackendProvider provider) {
        Map<String, ? extends Backend> of = provider == BackendProvider.POSTGRES ? postgres : vault;
        return of.values().stream().filter(b -> b.tier().equals(tier)).map(Backend.class::cast).toList();
    }

    /** Names, providers and tiers, without any secret: what the policy is checked against. */
    public ConnectionCatalog catalog() {
        List<ConnectionCatalog.Connection> all = new ArrayList<>();
        for (Backend backend : postgres.values()) {
            all.add(new ConnectionCatalog.Connection(backend.name(), backend.provider(), backend.tier()));
        }
        for (Backend backend : vault.values()) {
            all.add(new ConnectionCatalog.Connection(backend.name(), backend.provider(), backend.tier()));
        }
        return ConnectionCatalog.of(all.toArray(ConnectionCatalog.Connection[]::new));
    }

    private static <B extends Backend> Map<String, B> keyedByName(Map<String, B> backends) {
        for (Map.Entry<String, B> entry : backends.entrySet()) {
            if (!entry.getKey().equals(entry.getValue().name())) {
                throw new IllegalArgumentException("connection " + entry.getValue().name() + " is listed as "
                        + entry.getKey());
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    }
}
