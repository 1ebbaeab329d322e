package dev.stint.broker.yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Strict reading of one small YAML configuration file, with every error naming the file, line and
 * column (1-based) and the key path: {@code LABEL:LINE:COL: key.path: what is wrong}.
 *
 * <p>The file is composed into nodes, not constructed into Java objects, so that each value keeps
 * its position and no YAML tag can instantiate anything. Aliases are capped (no "billion laughs")
 * and the text is limited in size.
 *
 * <p>Each file format has its own checked exception; {@code exceptions} turns a finished message
 * into it, so callers see their own type and this package knows none of them.
 *
 * <p>One instance reads one document: it remembers which key each value was found under, so that
 * errors about a key point at the key's own line. Not thread-safe.
 *
 * @param <E> the file format's exception
 */
public final class YamlNodes<E extends Exception> {

    /** The key path of the document's root mapping. */
    public static final String TOP = "(top level)";

    private final String label;
    private final int maxBytes;
    private final Function<String, E> exceptions;
    private final Map<Node, ScalarNode> keys = new IdentityHashMap<>();

    /**
     * @param label how errors name the file, usually its file name
     * @param maxBytes the largest text accepted; the limit also caps SnakeYAML's code point count
     * @param exceptions builds the format's exception from a complete message
     */
    public YamlNodes(String label, int maxBytes, Function<String, E> exceptions) {
        this.label = Objects.requireNonNull(label, "label");
        this.maxBytes = maxBytes;
        this.exceptions = Objects.requireNonNull(exceptions, "exceptions");
    }

    /**
     * Reads a whole file as UTF-8, refusing one larger than {@code maxBytes} before reading it.
     * Errors are labelled with the file name.
     */
    public static <E extends Exception> String readFile(Path file, int maxBytes, Function<String, E> exceptions)
            throws E {
        String label = file.getFileName().toString();
        try {
            if (Files.size(file) > maxBytes) {
                throw exceptions.apply(label + ": larger than " + maxBytes + " bytes");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw exceptions.apply(label + ": cannot be read: " + e.getMessage());
        }
    }

    /**
     * Composes the text into its root node, refusing repeated keys (reported by {@link #mapping}),
     * recursive keys and more than 20 aliases.
     *
     * @return the root node; empty when the text holds no document (blank, or only comments)
     * @throws E when the text is too large or not valid YAML
     */
    public Optional<Node> compose(String text) throws E {
        if (text.length() > maxBytes) {
            throw exceptions.apply(label + ": larger than " + maxBytes + " bytes");
        }
        try {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(label)
                    .setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(20)
                    .setAllowRecursiveKeys(false)
                    .setCodePointLimit(maxBytes)
                    .build();
            return new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().orElse(null);
            throw exceptions.apply(label + ":" + (mark == null ? "?" : (mark.getLine() + 1) + ":"
                    + (mark.getColumn() + 1)) + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw exceptions.apply(label + ": not valid YAML: " + e.getMessage());
        }
    }

    /**
     * The entries of a mapping in file order, keys being single values.
     *
     * @param allowed the only keys accepted, or {@code null} to accept any (the caller checks them)
     * @throws E when the node is not a mapping, a key is repeated or not allowed
     */
    public Map<String, Node> mapping(Node node, String path, Set<String> allowed) throws E {
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, path, "must be a mapping of keys to values");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            ScalarNode key = scalar(tuple.getKeyNode(), path);
            String name = key.getValue();
            if (allowed != null && !allowed.contains(name)) {
                throw unknownKey(key, path, allowed);
            }
            if (out.put(name, tuple.getValueNode()) != null) {
                throw error(key, child(path, name), "repeated key");
            }
            keys.put(tuple.getValueNode(), key);
        }
        return out;
    }

    /**
     * Refuses the first key, in file order, of a mapping read with {@link #mapping} that is not
     * in {@code allowed}; for callers that first give some keys a more helpful message.
     */
    public void allowOnly(Map<String, Node> fields, String path, Set<String> allowed) throws E {
        for (Map.Entry<String, Node> field : fields.entrySet()) {
            if (!allowed.contains(field.getKey())) {
                throw unknownKey(keyAt(field.getValue()), path, allowed);
            }
        }
    }

    /** The key a mapping value was found under, or the value itself if it was not in a mapping. */
    public Node keyAt(Node value) {
        ScalarNode key = keys.get(value);
        return key != null ? key : value;
    }

    public ScalarNode scalar(Node node, String path) throws E {
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, path, "must be a single value");
        }
        return scalar;
    }

    public List<ScalarNode> scalars(Node node, String path) throws E {
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, path, "must be a list");
        }
        List<ScalarNode> out = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            out.add(scalar(item, path));
        }
        return out;
    }

    /**
     * The value of {@code key}, or an error at {@code at} (usually the mapping, or the key it was
     * found under) saying the key is required.
     */
    public Node required(Map<String, Node> fields, String key, Node at, String path) throws E {
        Node node = fields.get(key);
        if (node == null) {
            throw error(at, path, "the key '" + key + "' is required");
        }
        return node;
    }

    /** {@code LABEL:LINE:COL: path: message}, at the start of {@code node}. */
    public E error(Node node, String path, String message) {
        Optional<Mark> mark = node.getStartMark();
        String where = mark.map(m -> (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("?");
        return exceptions.apply(label + ":" + where + ": " + path + ": " + message);
    }

    /** {@code LABEL: message}, for what concerns the whole file. */
    public E error(String message) {
        return exceptions.apply(label + ": " + message);
    }

    /** The key path of {@code name} inside the mapping at {@code path}. */
    public static String child(String path, String name) {
        return path.equals(TOP) ? name : path + "." + name;
    }

    private E unknownKey(Node key, String path, Set<String> allowed) {
        String name = key instanceof ScalarNode scalar ? scalar.getValue() : "?";
        return error(key, child(path, name), "unknown key (expected one of "
                + String.join(", ", new TreeSet<>(allowed)) + ")");
    }
}
