package dev.stint.broker.deployment;

import dev.stint.broker.yaml.YamlNodes;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a deployment file ({@code stint broker --config FILE}) into a {@link Deployment},
 * strictly: unknown or repeated keys anywhere, a password written inline, and anything a value
 * points at that is missing (a password file, an environment variable) are errors reported as
 * {@code FILE:LINE:COL: key.path: what is wrong}. Passwords are fetched while loading, so a broker
 * that starts has them; no message contains one.
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
 * </pre>
 */
public final class DeploymentFile {

    /** Deployment files are a few lines; a larger one is a mistake or an attack. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Set<String> TOP_KEYS = Set.of("store");
    private static final Set<String> STORE_KEYS = Set.of("postgres");
    private static final Set<String> POSTGRES_KEYS = Set.of(
            "host", "port", "database", "user", "password_file", "password_env", "pool_size", "ssl_mode");
    private static final String POSTGRES = "store.postgres";
    private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

    private final YamlNodes<DeploymentFileException> nodes;
    private final Map<String, String> env;
    private final Path baseDir;

    private DeploymentFile(String label, Map<String, String> env, Path baseDir) {
        this.nodes = new YamlNodes<>(label, MAX_BYTES, DeploymentFileException::new);
        this.env = Objects.requireNonNull(env, "env");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    }

    /** {@link #load(Path, Map)} with the process environment. */
    public static Deployment load(Path file) throws DeploymentFileException {
        return load(file, System.getenv());
    }

    /**
     * Reads {@code file}; errors are labelled with its file name, and a relative
     * {@code password_file} is taken relative to the file's directory.
     *
     * @param env where {@code password_env} names are looked up
     */
    public static Deployment load(Path file, Map<String, String> env) throws DeploymentFileException {
        String text = YamlNodes.readFile(file, MAX_BYTES, DeploymentFileException::new);
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.getFileName().toString(), env, dir);
    }

    /**
     * @param label how errors name the file
     * @param env where {@code password_env} names are looked up
     * @param baseDir what a relative {@code password_file} is relative to
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
        return store == null ? Deployment.NONE : Deployment.of(postgres(postgresNode(store)));
    }

    private Node postgresNode(Node store) throws DeploymentFileException {
        if (isNull(store) || store instanceof MappingNode mapping && mapping.getValue().isEmpty()) {
            throw nodes.error(nodes.keyAt(store), "store", "must name a store (postgres);"
                    + " leave 'store' out to keep the embedded store");
        }
        return nodes.mapping(store, "store", STORE_KEYS).get("postgres");
    }

    private PostgresSettings postgres(Node node) throws DeploymentFileException {
        Node at = nodes.keyAt(node);
        // An empty value has no position of its own worth showing; its key has.
        Map<String, Node> fields = nodes.mapping(isNull(node) ? at : node, POSTGRES, null);
        if (fields.containsKey("password")) {
            throw nodes.error(nodes.keyAt(fields.get("password")), POSTGRES + ".password",
                    "never write the password here; use password_file or password_env");
        }
        nodes.allowOnly(fields, POSTGRES, POSTGRES_KEYS);
        String host = value(nodes.required(fields, "host", at, POSTGRES), "host",
                checked(PostgresSettings::requireHost));
        int port = fields.containsKey("port") ? value(fields.get("port"), "port", DeploymentFile::port)
                : PostgresSettings.DEFAULT_PORT;
        String database = value(nodes.required(fields, "database", at, POSTGRES), "database",
                checked(PostgresSettings::requireName));
        String user = value(nodes.required(fields, "user", at, POSTGRES), "user",
                checked(PostgresSettings::requireName));
        String password = password(fields, at);
        int poolSize = fields.containsKey("pool_size")
                ? value(fields.get("pool_size"), "pool_size", DeploymentFile::poolSize)
                : PostgresSettings.DEFAULT_POOL_SIZE;
        SslMode sslMode = fields.containsKey("ssl_mode")
                ? value(fields.get("ssl_mode"), "ssl_mode", SslMode::parse)
                : PostgresSettings.DEFAULT_SSL_MODE;
        return new PostgresSettings(host, port, database, user, password, sslMode, poolSize);
    }

    private String password(Map<String, Node> fields, Node at) throws DeploymentFileException {
        Node file = fields.get("password_file");
        Node variable = fields.get("password_env");
        if (file == null && variable == null) {
            throw nodes.error(at, POSTGRES, "the key 'password_file' or 'password_env' is required");
        }
        if (file != null && variable != null) {
            // Point at whichever of the two comes second: the first was fine on its own.
            String second = fields.keySet().stream()
                    .filter(k -> k.equals("password_file") || k.equals("password_env"))
                    .reduce((first, last) -> last).orElseThrow();
            throw nodes.error(nodes.keyAt(fields.get(second)), POSTGRES + "." + second,
                    "use either password_file or password_env, not both");
        }
        return file != null
                ? value(file, "password_file", path -> Passwords.fromFile(baseDir.resolve(nonEmpty(path))))
                : value(variable, "password_env", name -> Passwords.fromEnv(name, env));
    }

    /**
     * Parses the scalar at {@code node}; an {@link IllegalArgumentException} from {@code parse}
     * becomes an error at the value, with its message.
     */
    private <T> T value(Node node, String key, Function<String, T> parse) throws DeploymentFileException {
        String path = POSTGRES + "." + key;
        ScalarNode scalar = nodes.scalar(node, path);
        try {
            return parse.apply(scalar.getValue());
        } catch (IllegalArgumentException e) {
            throw nodes.error(scalar, path, e.getMessage());
        }
    }

    private static Function<String, String> checked(Consumer<String> check) {
        return value -> {
            check.accept(value);
            return value;
        };
    }

    private static int port(String text) {
        if (!DIGITS.matcher(text).matches() || !PostgresSettings.isPort(Integer.parseInt(text))) {
            throw new IllegalArgumentException("'" + text + "' is not a port (1-65535)");
        }
        return Integer.parseInt(text);
    }

    private static int poolSize(String text) {
        if (!DIGITS.matcher(text).matches() || !PostgresSettings.isPoolSize(Integer.parseInt(text))) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a pool size (1-" + PostgresSettings.MAX_POOL_SIZE + ")");
        }
        return Integer.parseInt(text);
    }

    private static String nonEmpty(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    }

    /** {@code key:} with nothing after it (or {@code ~}, {@code null}). */
    private static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }
}
