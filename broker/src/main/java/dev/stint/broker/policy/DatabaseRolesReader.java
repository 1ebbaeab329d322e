package dev.stint.broker.policy;

import dev.stint.broker.deployment.BackendProvider;
import dev.stint.broker.deployment.ConnectionCatalog;
import dev.stint.broker.yaml.YamlNodes;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the policy's {@code database_roles}, typed, and checks each against the deployment's
 * connections, so that a dev role can never point at a prod database:
 *
 * <pre>
 * database_roles:
 *   orders-readonly:
 *     scope: db:orders:read
 *     dev:  { provider: postgres, connection: orders-dev, grants: "SELECT ON ALL TABLES IN SCHEMA public",
 *             in_roles: [orders_readers] }
 *     prod: { provider: vault, connection: vault-prod, role: orders-ro }
 * </pre>
 *
 * A named connection must exist, serve the role's tier and belong to its provider. Left out, it
 * is the tier's only connection of that provider; with several it must be named; with none the
 * role loads unresolved (a request answers 503).
 */
final class DatabaseRolesReader {

    private static final Set<String> TIER_KEYS = Set.of("provider", "connection", "grants", "in_roles", "role");

    private final YamlNodes<PolicyFileException> nodes;
    private final Map<Tier, TierPolicy> tiers;
    private final ConnectionCatalog catalog;
    private final DatabaseRoleSyntax syntax;

    DatabaseRolesReader(YamlNodes<PolicyFileException> nodes, Map<Tier, TierPolicy> tiers, ConnectionCatalog catalog,
            DatabaseRoleSyntax syntax) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.tiers = Objects.requireNonNull(tiers, "tiers");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.syntax = Objects.requireNonNull(syntax, "syntax");
    }

    Map<String, DatabaseRole> read(Node node) throws PolicyFileException {
        Map<String, DatabaseRole> roles = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : nodes.mapping(node, "database_roles", null).entrySet()) {
            String path = "database_roles." + entry.getKey();
            if (!PolicyFileLoader.NAME.matcher(entry.getKey()).matches()) {
                throw nodes.error(nodes.keyAt(entry.getValue()), path,
                        "role names are 1-64 lower-case letters, digits, '_', '.' or '-'");
            }
            Map<String, Node> fields = nodes.mapping(entry.getValue(), path, null);
            ScalarNode scopeNode = nodes.scalar(nodes.required(fields, "scope", entry.getValue(), path), path + ".scope");
            Scope scope;
            try {
                scope = Scope.parse(scopeNode.getValue());
            } catch (IllegalArgumentException e) {
                throw nodes.error(scopeNode, path + ".scope", e.getMessage());
            }
            Map<Tier, RoleBackend> backends = new LinkedHashMap<>();
            for (Map.Entry<String, Node> field : fields.entrySet()) {
                if (!field.getKey().equals("scope")) {
                    String tierPath = path + "." + field.getKey();
                    Tier tier = PolicyFileLoader.definedTier(nodes, field.getKey(), tiers,
                            nodes.keyAt(field.getValue()), tierPath);
                    backends.put(tier, backend(field.getValue(), tier, tierPath));
                }
            }
            roles.put(entry.getKey(), new DatabaseRole(entry.getKey(), scope, backends));
        }
        return roles;
    }

    private RoleBackend backend(Node node, Tier tier, String path) throws PolicyFileException {
        Node at = nodes.keyAt(node);
        Map<String, Node> fields = nodes.mapping(node, path, TIER_KEYS);
        ScalarNode providerNode = nodes.scalar(nodes.required(fields, "provider", at, path), path + ".provider");
        BackendProvider provider = BackendProvider.parse(providerNode.getValue()).orElseThrow(
                () -> nodes.error(providerNode, path + ".provider", "must be postgres or vault"));
        refuseKeysOfTheOther(fields, provider, path);
        Optional<String> written = Optional.empty();
        ScalarNode connectionNode = null;
        if (fields.containsKey("connection")) {
            connectionNode = nodes.scalar(fields.get("connection"), path + ".connection");
            if (!ConnectionCatalog.isName(connectionNode.getValue())) {
                throw nodes.error(connectionNode, path + ".connection", ConnectionCatalog.NAME_RULE);
            }
            written = Optional.of(connectionNode.getValue());
        }
        if (provider == BackendProvider.POSTGRES) {
            List<String> grants = grants(nodes.required(fields, "grants", at, path), path + ".grants");
            List<String> inRoles = fields.containsKey("in_roles")
                    ? inRoles(fields.get("in_roles"), path + ".in_roles") : List.of();
            Optional<String> connection = connection(written, connectionNode, provider, tier, at, path);
            return new PostgresRole(connection, grants, inRoles);
        }
        ScalarNode role = nodes.scalar(nodes.required(fields, "role", at, path), path + ".role");
        if (!VaultRole.isVaultRole(role.getValue())) {
            throw nodes.error(role, path + ".role", "'" + role.getValue() + "' is not a Vault role: "
                    + VaultRole.ROLE_RULE);
        }
        return new VaultRole(connection(written, connectionNode, provider, tier, at, path), role.getValue());
    }

    /** {@code role} is Vault's; {@code grants} and {@code in_roles} are the built-in provider's. */
    private void refuseKeysOfTheOther(Map<String, Node> fields, BackendProvider provider, String path)
            throws PolicyFileException {
        List<String> foreign = provider == BackendProvider.POSTGRES ? List.of("role") : List.of("grants", "in_roles");
        String own = provider == BackendProvider.POSTGRES ? "grants and in_roles" : "role";
        for (String key : foreign) {
            if (fields.containsKey(key)) {
                throw nodes.error(nodes.keyAt(fields.get(key)), path + "." + key, "provider " + provider
                        + " takes " + own + ", not " + key);
            }
        }
    }

    /** A string is one clause; a list is one clause per item. */
    private List<String> grants(Node node, String path) throws PolicyFileException {
        if (!(node instanceof ScalarNode) && !(node instanceof SequenceNode)) {
            throw nodes.error(node, path, "must be a grant or a list of grants");
        }
        List<ScalarNode> clauses = node instanceof ScalarNode scalar ? List.of(scalar) : nodes.scalars(node, path);
        if (clauses.isEmpty()) {
            throw nodes.error(node, path, "list at least one grant");
        }
        List<String> out = new ArrayList<>();
        for (ScalarNode clause : clauses) {
            // One at a time first, so that an error points at its own line.
            checked(clause, path, () -> syntax.checkGrants(List.of(clause.getValue())));
            out.add(clause.getValue());
        }
        checked(node, path, () -> syntax.checkGrants(List.copyOf(out)));
        return out;
    }

    private List<String> inRoles(Node node, String path) throws PolicyFileException {
        List<String> out = new ArrayList<>();
        for (ScalarNode name : nodes.scalars(node, path)) {
            checked(name, path, () -> syntax.checkGroupRole(name.getValue()));
            out.add(name.getValue());
        }
        return out;
    }

    private void checked(Node at, String path, Runnable check) throws PolicyFileException {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw nodes.error(at, path, e.getMessage());
        }
    }

    /** The connection written, checked against the catalog; else the tier's only one of the provider, if any. */
    private Optional<String> connection(Optional<String> written, ScalarNode writtenAt, BackendProvider provider,
            Tier tier, Node tierKey, String path) throws PolicyFileException {
        if (written.isPresent()) {
            String name = written.get();
            String at = path + ".connection";
            ConnectionCatalog.Connection found = catalog.named(name).orElseThrow(() -> nodes.error(writtenAt, at,
                    notDefined(name, provider, tier)));
            if (!found.tier().equals(tier)) {
                throw nodes.error(writtenAt, at, "connection " + name + " serves tier " + found.tier() + ", not "
                        + tier + ": a " + tier + " role cannot use a " + found.tier() + " database");
            }
            if (found.provider() != provider) {
                throw nodes.error(writtenAt, at, "connection " + name + " is a " + found.provider()
                        + " connection, not " + provider);
            }
            return written;
        }
        List<String> candidates = catalog.names(tier, provider);
        if (candidates.size() > 1) {
            throw nodes.error(tierKey, path, "tier " + tier + " has several " + provider + " connections; name one"
                    + " of: " + String.join(", ", candidates));
        }
        return candidates.stream().findFirst();
    }

    private String notDefined(String name, BackendProvider provider, Tier tier) {
        List<String> candidates = catalog.names(tier, provider);
        return "connection " + name + " is not defined under backends in the deployment file"
                + (catalog.connections().isEmpty() ? " (there is no deployment file, or it has no backends)"
                        : candidates.isEmpty() ? " (it has no " + provider + " connection for tier " + tier + ")"
                        : " (" + provider + " connections of tier " + tier + ": " + String.join(", ", candidates)
                                + ")");
    }
}
