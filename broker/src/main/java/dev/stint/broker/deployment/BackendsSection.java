package dev.stint.broker.deployment;

import dev.stint.broker.yaml.YamlNodes;
import dev.stint.token.Tier;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a deployment file's {@code backends}: the connections database logins come from, each
 * serving exactly one tier, and where their secrets are (never a secret inline).
 *
 * <pre>
 * backends:
 *   postgres:                         # the built-in provider
 *     orders-dev:
 *       tier: dev
 *       host: 127.0.0.1
 *       port: 5432                    # optional, default 5432
 *       database: orders
 *       admin_user: stint_admin       # has CREATEROLE and may grant what roles need
 *       admin_password_file: /etc/stint/orders-dev.pass   # or admin_password_env: NAME
 *       ssl_mode: verify-full         # optional, default prefer
 *   vault:                            # Vault (or OpenBao) database secrets engines
 *     vault-prod:
 *       tier: prod
 *       address: https://vault.prod.example:8200   # http only to 127.0.0.1, ::1 or localhost
 *       namespace: ops                # optional (X-Vault-Namespace)
 *       mount: database
 *       token_file: /etc/stint/vault-prod.token     # or token_env: NAME
 *       sessions: orders-prod-admin   # optional: a postgres connection of the same tier
 * </pre>
 *
 * Connection names are unique across both providers. Postgres connections are read first, so
 * that {@code sessions} may name one written further down.
 */
final class BackendsSection {

    private static final Set<String> PROVIDERS = Set.of("postgres", "vault");
    private static final Set<String> POSTGRES_KEYS = Set.of("tier", "host", "port", "database", "admin_user",
            "admin_password_file", "admin_password_env", "ssl_mode");
    private static final Set<String> VAULT_KEYS = Set.of("tier", "address", "namespace", "mount", "token_file",
            "token_env", "sessions");
    private static final DeploymentValues.SecretKeys ADMIN_PASSWORD = new DeploymentValues.SecretKeys(
            "admin_password", "admin_password_file", "admin_password_env", Secrets.Kind.PASSWORD);
    private static final DeploymentValues.SecretKeys TOKEN = new DeploymentValues.SecretKeys(
            "token", "token_file", "token_env", Secrets.Kind.TOKEN);

    private final DeploymentValues values;
    private final YamlNodes<DeploymentFileException> nodes;
    /** Every connection name read so far, to the key it was written under. */
    private final Map<String, Node> names = new LinkedHashMap<>();

    BackendsSection(DeploymentValues values) {
        this.values = values;
        this.nodes = values.nodes();
    }

    Backends read(Node node) throws DeploymentFileException {
        values.refuseEmpty(node, "backends",
                "must name a provider (postgres, vault); leave 'backends' out when there are none");
        Map<String, Node> providers = nodes.mapping(node, "backends", PROVIDERS);
        Map<String, PostgresBackend> postgres = new LinkedHashMap<>();
        if (providers.containsKey("postgres")) {
            for (Map.Entry<String, Node> entry : connections(providers.get("postgres"), "postgres").entrySet()) {
                postgres.put(entry.getKey(), postgres(entry.getKey(), entry.getValue()));
            }
        }
        Map<String, VaultBackend> vault = new LinkedHashMap<>();
        if (providers.containsKey("vault")) {
            for (Map.Entry<String, Node> entry : connections(providers.get("vault"), "vault").entrySet()) {
                vault.put(entry.getKey(), vault(entry.getKey(), entry.getValue(), postgres));
            }
        }
        return new Backends(postgres, vault);
    }

    /** The connections of one provider, their names checked and unique across providers. */
    private Map<String, Node> connections(Node node, String provider) throws DeploymentFileException {
        String path = "backends." + provider;
        values.refuseEmpty(node, path, "must name at least one connection; leave '" + provider
                + "' out when there are none");
        Map<String, Node> connections = nodes.mapping(node, path, null);
        for (Map.Entry<String, Node> entry : connections.entrySet()) {
            String name = entry.getKey();
            Node key = nodes.keyAt(entry.getValue());
            if (!ConnectionCatalog.isName(name)) {
                throw nodes.error(key, path + "." + name, ConnectionCatalog.NAME_RULE);
            }
            // Within one provider YAML itself refuses a repeated key, so a clash is postgres vs vault.
            Node postgresKey = names.putIfAbsent(name, key);
            if (postgresKey != null) {
                throw duplicate(name, postgresKey, key);
            }
        }
        return connections;
    }

    /** Reported at whichever of the two keys comes later in the file: the first was fine alone. */
    private DeploymentFileException duplicate(String name, Node postgresKey, Node vaultKey) {
        boolean vaultLater = line(vaultKey) >= line(postgresKey);
        return nodes.error(vaultLater ? vaultKey : postgresKey,
                "backends." + (vaultLater ? "vault" : "postgres") + "." + name,
                "the name is already used by the " + (vaultLater ? "postgres" : "vault") + " connection at line "
                        + line(vaultLater ? postgresKey : vaultKey) + "; connection names are unique across providers");
    }

    private PostgresBackend postgres(String name, Node node) throws DeploymentFileException {
        String path = "backends.postgres." + name;
        Node at = nodes.keyAt(node);
        Map<String, Node> fields = values.fields(node, path);
        values.refuseInline(fields, path, ADMIN_PASSWORD);
        nodes.allowOnly(fields, path, POSTGRES_KEYS);
        Tier tier = tier(fields, at, path);
        String host = values.checked(fields, "host", at, path, PostgresJdbc::requireHost);
        int port = values.port(fields, path);
        String database = values.checked(fields, "database", at, path, PostgresJdbc::requireName);
        String adminUser = values.checked(fields, "admin_user", at, path, PostgresJdbc::requireName);
        SslMode sslMode = values.sslMode(fields, path);
        String password = values.secret(fields, at, path, ADMIN_PASSWORD);
        return new PostgresBackend(name, tier, host, port, database, adminUser, password, sslMode);
    }

    private VaultBackend vault(String name, Node node, Map<String, PostgresBackend> postgres)
            throws DeploymentFileException {
        String path = "backends.vault." + name;
        Node at = nodes.keyAt(node);
        Map<String, Node> fields = values.fields(node, path);
        values.refuseInline(fields, path, TOKEN);
        nodes.allowOnly(fields, path, VAULT_KEYS);
        Tier tier = tier(fields, at, path);
        URI address = values.value(nodes.required(fields, "address", at, path), path + ".address",
                BackendsSection::address);
        Optional<String> namespace = fields.containsKey("namespace")
                ? Optional.of(values.value(fields.get("namespace"), path + ".namespace", BackendsSection::path))
                : Optional.empty();
        String mount = values.value(nodes.required(fields, "mount", at, path), path + ".mount", BackendsSection::path);
        Optional<String> sessions = fields.containsKey("sessions")
                ? Optional.of(values.value(fields.get("sessions"), path + ".sessions",
                        text -> sessions(text, tier, postgres)))
                : Optional.empty();
        String token = values.secret(fields, at, path, TOKEN);
        return new VaultBackend(name, tier, address, namespace, mount, token, sessions);
    }

    private Tier tier(Map<String, Node> fields, Node at, String path) throws DeploymentFileException {
        return values.value(nodes.required(fields, "tier", at, path), path + ".tier", text -> {
            Tier tier = Tier.parseOrNull(text);
            if (tier == null) {
                throw new IllegalArgumentException("'" + text + "' is not a tier: tier names are 1-32 lower-case"
                        + " letters, digits or '-', starting with a letter");
            }
            return tier;
        });
    }

    // The text is not repeated in these messages: an address may carry a password as user info.
    private static URI address(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
        return VaultBackend.checkedAddress(uri);
    }

    private static String path(String text) {
        VaultBackend.requirePath(text);
        return text;
    }

    private static String sessions(String name, Tier tier, Map<String, PostgresBackend> postgres) {
        PostgresBackend sessions = postgres.get(name);
        if (sessions == null) {
            throw new IllegalArgumentException("'" + name + "' is not a connection under backends.postgres;"
                    + " sessions names the postgres connection where Vault's users live");
        }
        if (!sessions.tier().equals(tier)) {
            throw new IllegalArgumentException("postgres connection " + name + " serves tier " + sessions.tier()
                    + ", not " + tier + ": sessions must be a connection of the same tier");
        }
        return name;
    }

    private static int line(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }
}
