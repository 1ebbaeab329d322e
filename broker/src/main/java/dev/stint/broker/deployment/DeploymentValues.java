package dev.stint.broker.deployment;

import dev.stint.broker.yaml.YamlNodes;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads the values of one deployment file, for each of its sections: scalars through a parse
 * function whose {@link IllegalArgumentException} becomes an error at the value, ports, and
 * secrets from a file or the environment. One instance per file read; not thread-safe.
 */
final class DeploymentValues {

    /** The keys that say where one secret is, and the inline key that is refused. */
    record SecretKeys(String inline, String file, String env, Secrets.Kind kind) {
    }

    private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

    private final YamlNodes<DeploymentFileException> nodes;
    private final Map<String, String> env;
    private final Path baseDir;

    DeploymentValues(YamlNodes<DeploymentFileException> nodes, Map<String, String> env, Path baseDir) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.env = Objects.requireNonNull(env, "env");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    }

    YamlNodes<DeploymentFileException> nodes() {
        return nodes;
    }

    /**
     * The keys of the mapping at {@code node}, any keys (the caller checks them); an empty value
     * ({@code name:} alone) is reported at its key, which has a position worth showing.
     */
    Map<String, Node> fields(Node node, String path) throws DeploymentFileException {
        return nodes.mapping(isNull(node) ? nodes.keyAt(node) : node, path, null);
    }

    /**
     * Refuses a section that is left empty ({@code key:} alone or {@code {}}) with {@code why},
     * at its key.
     */
    void refuseEmpty(Node node, String path, String why) throws DeploymentFileException {
        if (isNull(node) || node instanceof MappingNode mapping && mapping.getValue().isEmpty()) {
            throw nodes.error(nodes.keyAt(node), path, why);
        }
    }

    /** Parses the scalar at {@code node}; an {@link IllegalArgumentException} becomes an error there. */
    <T> T value(Node node, String path, Function<String, T> parse) throws DeploymentFileException {
        ScalarNode scalar = nodes.scalar(node, path);
        try {
            return parse.apply(scalar.getValue());
        } catch (IllegalArgumentException e) {
            throw nodes.error(scalar, path, e.getMessage());
        }
    }

    /** A required value checked by {@code check}, which throws {@link IllegalArgumentException}. */
    String checked(Map<String, Node> fields, String key, Node at, String path, Consumer<String> check)
            throws DeploymentFileException {
        return value(nodes.required(fields, key, at, path), YamlNodes.child(path, key), text -> {
            check.accept(text);
            return text;
        });
    }

    /** {@code port}, or {@value PostgresJdbc#DEFAULT_PORT} when it is left out. */
    int port(Map<String, Node> fields, String path) throws DeploymentFileException {
        return fields.containsKey("port")
                ? value(fields.get("port"), YamlNodes.child(path, "port"), DeploymentValues::port)
                : PostgresJdbc.DEFAULT_PORT;
    }

    /** {@code ssl_mode}, or pgjdbc's default when it is left out. */
    SslMode sslMode(Map<String, Node> fields, String path) throws DeploymentFileException {
        return fields.containsKey("ssl_mode")
                ? value(fields.get("ssl_mode"), YamlNodes.child(path, "ssl_mode"), SslMode::parse)
                : PostgresJdbc.DEFAULT_SSL_MODE;
    }

    /**
     * Refuses a secret written inline, with a message saying where it belongs instead. Call it
     * before checking the allowed keys, so that this key gets the helpful message.
     */
    void refuseInline(Map<String, Node> fields, String path, SecretKeys keys) throws DeploymentFileException {
        if (fields.containsKey(keys.inline())) {
            throw nodes.error(nodes.keyAt(fields.get(keys.inline())), YamlNodes.child(path, keys.inline()),
                    "never write the " + keys.kind() + " here; use " + keys.file() + " or " + keys.env());
        }
    }

    /**
     * The secret from exactly one of the file and the environment variable; a relative file is
     * taken relative to the deployment file's directory. Errors never contain the secret.
     */
    String secret(Map<String, Node> fields, Node at, String path, SecretKeys keys) throws DeploymentFileException {
        Node file = fields.get(keys.file());
        Node variable = fields.get(keys.env());
        if (file == null && variable == null) {
            throw nodes.error(at, path, "the key '" + keys.file() + "' or '" + keys.env() + "' is required");
        }
        if (file != null && variable != null) {
            // Point at whichever of the two comes second: the first was fine on its own.
            String second = fields.keySet().stream()
                    .filter(k -> k.equals(keys.file()) || k.equals(keys.env()))
                    .reduce((first, last) -> last).orElseThrow();
            throw nodes.error(nodes.keyAt(fields.get(second)), YamlNodes.child(path, second),
                    "use either " + keys.file() + " or " + keys.env() + ", not both");
        }
        return file != null
                ? value(file, YamlNodes.child(path, keys.file()),
                        name -> Secrets.fromFile(baseDir.resolve(nonEmpty(name)), keys.kind()))
                : value(variable, YamlNodes.child(path, keys.env()),
                        name -> Secrets.fromEnv(name, env, keys.kind()));
    }

    /** {@code key:} with nothing after it (or {@code ~}, {@code null}). */
    static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    /** A whole number of at most nine digits that {@code range} accepts, or an error naming {@code what}. */
    static int number(String text, String what, IntPredicate range) {
        if (!DIGITS.matcher(text).matches() || !range.test(Integer.parseInt(text))) {
            throw new IllegalArgumentException("'" + text + "' is not " + what);
        }
        return Integer.parseInt(text);
    }

    private static int port(String text) {
        return number(text, "a port (1-65535)", PostgresJdbc::isPort);
    }

    private static String nonEmpty(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    }
}
