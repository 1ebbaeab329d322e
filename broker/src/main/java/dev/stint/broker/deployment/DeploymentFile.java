package dev.stint.broker.deployment;

import dev.stint.broker.yaml.YamlNodes;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a deployment file ({@code stint broker --config FILE}) into a {@link Deployment},
 * strictly: unknown or repeated keys anywhere, a secret written inline, and anything a value
 * points at that is missing (a password or token file, an environment variable) are errors
 * reported as {@code FILE:LINE:COL: key.path: what is wrong}. Secrets are fetched while loading,
 * so a broker that starts has them; no message contains one.
 *
 * <pre>
 * store:
 *   postgres:
 *     host: 127.0.0.1
 *     port: 5432                      # optional, default 5432
 *     database: stint
 *     user: stint
 *     password_file: /etc/stint/store.pass   # or password_env: NAME
 *     pool_size: 16                   # optional, 1-200, default 16
 *     ssl_mode: verify-full           # optional, pgjdbc's sslmode, default prefer
 * backends:                           # see BackendsSection
 *   postgres: { NAME: {...}, ... }
 *   vault:    { NAME: {...}, ... }
 * federation:
 *   allow_http_issuers: [http://127.0.0.1:8099]   # CI token issuers on loopback, for trials
 * sign_in:                            # see OidcSignInSettings
 *   oidc: { issuer, client_id, client_secret_file | client_secret_env, person_claim }
 * notify:                             # see NotifySettings
 *   webhooks: [{ url, format: slack | json, secret_file | secret_env (optional) }]
 * </pre>
 */
public final class DeploymentFile {

    /** Deployment files are a few dozen lines; a larger one is a mistake or an attack. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Set<String> TOP_KEYS = Set.of("store", "backends", "federation", "sign_in", "notify");
    private static final Set<String> OIDC_KEYS = Set.of(
            "issuer", "client_id", "client_secret_file", "client_secret_env", "person_claim");
    private static final String OIDC = "sign_in.oidc";
    private static final DeploymentValues.SecretKeys CLIENT_SECRET = new DeploymentValues.SecretKeys(
            "client_secret", "client_secret_file", "client_secret_env", Secrets.Kind.CLIENT_SECRET);
    private static final Set<String> STORE_KEYS = Set.of("postgres");
    private static final Set<String> POSTGRES_KEYS = Set.of(
            "host", "port", "database", "user", "password_file", "password_env", "pool_size", "ssl_mode");
    private static final String POSTGRES = "store.postgres";
    private static final DeploymentValues.SecretKeys PASSWORD = new DeploymentValues.SecretKeys(
            "password", "password_file", "password_env", Secrets.Kind.PASSWORD);

    private final YamlNodes<DeploymentFileException> nodes;
    private final DeploymentValues values;

    private DeploymentFile(String label, Map<String, String> env, Path baseDir) {
        this.nodes = new YamlNodes<>(label, MAX_BYTES, DeploymentFileException::new);
        this.values = new DeploymentValues(nodes, env, baseDir);
    }

    /** {@link #load(Path, Map)} with the process environment. */
    public static Deployment load(Path file) throws DeploymentFileException {
        return load(file, System.getenv());
    }

    /**
     * Reads {@code file}; errors are labelled with its file name, and a relative secret file
     * ({@code password_file}, {@code admin_password_file}, {@code token_file}) is taken relative
     * to the file's directory.
     *
     * @param env where {@code *_env} names are looked up
     */
    public static Deployment load(Path file, Map<String, String> env) throws DeploymentFileException {
        String text = YamlNodes.readFile(file, MAX_BYTES, DeploymentFileException::new);
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.getFileName().toString(), env, dir);
    }

    /**
     * @param label how errors name the file
     * @param env where {@code *_env} names are looked up
     * @param baseDir what a relative secret file is relative to
     */
    public static Deployment parse(String text, String label, Map<String, String> env, Path baseDir)
            throws DeploymentFileException {
        return new DeploymentFile(label, env, baseDir).read(text);
    }

    private Deployment read(String text) throws DeploymentFileException {
        Optional<Node> root = nodes.compose(text);
        if (root.isEmpty()) {
            throw nodes.error("the deployment file is empty");
        }
        Map<String, Node> top = nodes.mapping(root.get(), YamlNodes.TOP, TOP_KEYS);
        Node store = top.get("store");
        Optional<PostgresSettings> postgres = store == null ? Optional.empty() : Optional.of(postgres(store));
        Backends backends = top.containsKey("backends")
                ? new BackendsSection(values).read(top.get("backends")) : Backends.NONE;
        FederationSettings federation = top.containsKey("federation")
                ? federation(top.get("federation")) : FederationSettings.NONE;
        Optional<OidcSignInSettings> oidc = top.containsKey("sign_in")
                ? Optional.of(oidc(top.get("sign_in"))) : Optional.empty();
        NotifySettings notifications = top.containsKey("notify")
                ? new NotifySection(values).read(top.get("notify")) : NotifySettings.NONE;
        return new Deployment(postgres, backends, federation, oidc, notifications);
    }

    private OidcSignInSettings oidc(Node signIn) throws DeploymentFileException {
        values.refuseEmpty(signIn, "sign_in", "must name a way to sign in (oidc); leave 'sign_in' out for passkeys"
                + " only");
        Node node = nodes.mapping(signIn, "sign_in", Set.of("oidc")).get("oidc");
        Node at = nodes.keyAt(node);
        Map<String, Node> fields = values.fields(node, OIDC);
        values.refuseInline(fields, OIDC, CLIENT_SECRET);
        nodes.allowOnly(fields, OIDC, OIDC_KEYS);
        String issuer = values.checked(fields, "issuer", at, OIDC, text -> {
            String refusal = OidcSignInSettings.refusal(text);
            if (refusal != null) {
                throw new IllegalArgumentException(text.length() <= 100 ? text + " " + refusal : refusal);
            }
        });
        String clientId = values.checked(fields, "client_id", at, OIDC, DeploymentFile::nonBlank);
        String secret = values.secret(fields, at, OIDC, CLIENT_SECRET);
        String claim = fields.containsKey("person_claim")
                ? values.value(fields.get("person_claim"), OIDC + ".person_claim", text -> {
                    nonBlank(text);
                    return text;
                })
                : OidcSignInSettings.DEFAULT_PERSON_CLAIM;
        return new OidcSignInSettings(issuer, clientId, secret, claim);
    }

    private static void nonBlank(String text) {
        if (text.isBlank() || text.length() > 200) {
            throw new IllegalArgumentException("must be a non-empty value of at most 200 characters");
        }
    }

    private FederationSettings federation(Node node) throws DeploymentFileException {
        Map<String, Node> fields = nodes.mapping(node, "federation", Set.of("allow_http_issuers"));
        Set<String> issuers = new java.util.LinkedHashSet<>();
        Node list = fields.get("allow_http_issuers");
        if (list != null) {
            for (var issuer : nodes.scalars(list, "federation.allow_http_issuers")) {
                String refusal = FederationSettings.refusal(issuer.getValue());
                if (refusal != null) {
                    throw nodes.error(issuer, "federation.allow_http_issuers", issuer.getValue().length() <= 100
                            ? issuer.getValue() + " " + refusal : refusal);
                }
                issuers.add(issuer.getValue());
            }
        }
        return new FederationSettings(issuers);
    }

    private PostgresSettings postgres(Node store) throws DeploymentFileException {
        values.refuseEmpty(store, "store", "must name a store (postgres); leave 'store' out to keep the"
                + " embedded store");
        Node node = nodes.mapping(store, "store", STORE_KEYS).get("postgres");
        Node at = nodes.keyAt(node);
        Map<String, Node> fields = values.fields(node, POSTGRES);
        values.refuseInline(fields, POSTGRES, PASSWORD);
        nodes.allowOnly(fields, POSTGRES, POSTGRES_KEYS);
        String host = values.checked(fields, "host", at, POSTGRES, PostgresJdbc::requireHost);
        int port = values.port(fields, POSTGRES);
        String database = values.checked(fields, "database", at, POSTGRES, PostgresJdbc::requireName);
        String user = values.checked(fields, "user", at, POSTGRES, PostgresJdbc::requireName);
        String password = values.secret(fields, at, POSTGRES, PASSWORD);
        int poolSize = fields.containsKey("pool_size")
                ? values.value(fields.get("pool_size"), POSTGRES + ".pool_size", text -> DeploymentValues.number(
                        text, "a pool size (1-" + PostgresSettings.MAX_POOL_SIZE + ")", PostgresSettings::isPoolSize))
                : PostgresSettings.DEFAULT_POOL_SIZE;
        SslMode sslMode = values.sslMode(fields, POSTGRES);
        return new PostgresSettings(host, port, database, user, password, sslMode, poolSize);
    }
}
