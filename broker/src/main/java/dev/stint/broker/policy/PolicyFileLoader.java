package dev.stint.broker.policy;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.ScopePattern;
import dev.stint.token.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Reads the policy YAML into a {@link PolicyDocument}, strictly: unknown keys, repeated keys,
 * undefined tiers or groups, malformed scopes, durations and times are all errors, each reported
 * with file, line and column (1-based) and the key path.
 */
public final class PolicyFileLoader {

    /** Policy files are small; a larger one is a mistake or an attack. */
    public static final int MAX_BYTES = 1 << 20;

    private static final Set<String> TOP_KEYS = Set.of(
            "tiers", "destructive_actions", "groups", "grants", "approvals", "freezes", "database_roles");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Duration MAX_TTL_LIMIT = Duration.ofDays(30);

    private final String label;
    /** The key of each mapping value, so errors about a key point at that key's own line. */
    private final Map<Node, ScalarNode> keys = new IdentityHashMap<>();

    private PolicyFileLoader(String label) {
        this.label = label;
    }

    public static PolicyDocument load(Path file) throws PolicyFileException {
        String label = file.getFileName().toString();
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new PolicyFileException(label + ": larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyFileException(label + ": cannot be read: " + e.getMessage());
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), label);
    }

    public static PolicyDocument parse(String text, String label) throws PolicyFileException {
        return new PolicyFileLoader(label).read(text);
    }

    private PolicyDocument read(String text) throws PolicyFileException {
        if (text.length() > MAX_BYTES) {
            throw new PolicyFileException(label + ": larger than " + MAX_BYTES + " bytes");
        }
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(label)
                    .setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(20)
                    .setAllowRecursiveKeys(false)
                    .setCodePointLimit(MAX_BYTES)
                    .build();
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().orElse(null);
            throw new PolicyFileException(label + ":" + (mark == null ? "?" : (mark.getLine() + 1) + ":"
                    + (mark.getColumn() + 1)) + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new PolicyFileException(label + ": not valid YAML: " + e.getMessage());
        }
        if (root.isEmpty()) {
            throw new PolicyFileException(label + ": the policy file is empty");
        }
        Map<String, Node> top = mapping(root.get(), "(top level)", TOP_KEYS);
        if (!top.containsKey("tiers")) {
            throw error(root.get(), "(top level)", "the key 'tiers' is required");
        }
        Map<Tier, TierPolicy> tiers = tiers(top.get("tiers"));
        Set<String> destructive = top.containsKey("destructive_actions")
                ? names(top.get("destructive_actions"), "destructive_actions") : Set.of();
        Map<String, Set<String>> groups = top.containsKey("groups") ? groups(top.get("groups")) : Map.of();
        Map<String, Map<Tier, List<ScopePattern>>> grants = top.containsKey("grants")
                ? grants(top.get("grants"), tiers, groups) : Map.of();
        Map<Tier, Map<String, Integer>> approvals = top.containsKey("approvals")
                ? approvals(top.get("approvals"), tiers) : Map.of();
        List<Freeze> freezes = top.containsKey("freezes") ? freezes(top.get("freezes"), tiers) : List.of();
        Map<String, DatabaseRole> roles = top.containsKey("database_roles")
                ? databaseRoles(top.get("database_roles"), tiers) : Map.of();
        return new PolicyDocument(tiers, destructive, groups, grants, approvals, freezes, roles);
    }

    private Map<Tier, TierPolicy> tiers(Node node) throws PolicyFileException {
        Map<Tier, TierPolicy> tiers = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : mapping(node, "tiers", null).entrySet()) {
            String path = "tiers." + entry.getKey();
            Tier tier = Tier.parseOrNull(entry.getKey());
            if (tier == null) {
                throw error(keyAt(entry.getValue()), path, "tier names are 1-32 lower-case letters, digits or '-', starting with a letter");
            }
            Map<String, Node> fields = mapping(entry.getValue(), path, Set.of("max_ttl", "default_ttl"));
            Duration max = duration(required(fields, "max_ttl", entry.getValue(), path), path + ".max_ttl");
            Duration def = duration(required(fields, "default_ttl", entry.getValue(), path), path + ".default_ttl");
            if (max.compareTo(MAX_TTL_LIMIT) > 0) {
                throw error(fields.get("max_ttl"), path + ".max_ttl", "must be at most 30d");
            }
            if (def.compareTo(max) > 0) {
                throw error(fields.get("default_ttl"), path + ".default_ttl", "must not exceed max_ttl");
            }
            tiers.put(tier, new TierPolicy(tier, max, def));
        }
        if (tiers.isEmpty()) {
            throw error(node, "tiers", "define at least one tier");
        }
        return tiers;
    }

    private Map<String, Set<String>> groups(Node node) throws PolicyFileException {
        Map<String, Set<String>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : mapping(node, "groups", null).entrySet()) {
            String path = "groups." + entry.getKey();
            if (!NAME.matcher(entry.getKey()).matches()) {
                throw error(keyAt(entry.getValue()), path, "group names are 1-64 lower-case letters, digits, '_', '.' or '-'");
            }
            Set<String> members = new LinkedHashSet<>();
            for (ScalarNode member : scalars(entry.getValue(), path)) {
                members.add(agentId(member, path));
            }
            groups.put(entry.getKey(), members);
        }
        return groups;
    }

    private Map<String, Map<Tier, List<ScopePattern>>> grants(Node node, Map<Tier, TierPolicy> tiers,
            Map<String, Set<String>> groups) throws PolicyFileException {
        Map<String, Map<Tier, List<ScopePattern>>> grants = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : mapping(node, "grants", null).entrySet()) {
            String principal = entry.getKey();
            String path = "grants." + principal;
            if (principal.startsWith("group:")) {
                if (!groups.containsKey(principal.substring(6))) {
                    throw error(keyAt(entry.getValue()), path, "group '" + principal.substring(6) + "' is not defined under groups");
                }
            } else {
                try {
                    new AgentId(principal);
                } catch (IllegalArgumentException e) {
                    throw error(keyAt(entry.getValue()), path, "not an agent id or group:<name>: " + e.getMessage());
                }
            }
            Map<Tier, List<ScopePattern>> byTier = new LinkedHashMap<>();
            for (Map.Entry<String, Node> tierEntry : mapping(entry.getValue(), path, null).entrySet()) {
                String tierPath = path + "." + tierEntry.getKey();
                Tier tier = definedTier(tierEntry.getKey(), tiers, keyAt(tierEntry.getValue()), tierPath);
                List<ScopePattern> patterns = new ArrayList<>();
                for (ScalarNode scalar : scalars(tierEntry.getValue(), tierPath)) {
                    try {
                        patterns.add(ScopePattern.parse(scalar.getValue()));
                    } catch (IllegalArgumentException e) {
                        throw error(scalar, tierPath, "'" + scalar.getValue() + "': " + e.getMessage());
                    }
                }
                byTier.put(tier, List.copyOf(patterns));
            }
            grants.put(principal, byTier);
        }
        return grants;
    }

    private Map<Tier, Map<String, Integer>> approvals(Node node, Map<Tier, TierPolicy> tiers)
            throws PolicyFileException {
        Map<Tier, Map<String, Integer>> approvals = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : mapping(node, "approvals", null).entrySet()) {
            String path = "approvals." + entry.getKey();
            Tier tier = definedTier(entry.getKey(), tiers, keyAt(entry.getValue()), path);
            Map<String, Integer> quorum = new LinkedHashMap<>();
            for (Map.Entry<String, Node> cls : mapping(entry.getValue(), path, null).entrySet()) {
                String clsPath = path + "." + cls.getKey();
                if (!NAME.matcher(cls.getKey()).matches()) {
                    throw error(keyAt(cls.getValue()), clsPath, "an action class is 'destructive' or an action name");
                }
                ScalarNode value = scalar(cls.getValue(), clsPath);
                int count;
                try {
                    count = Integer.parseInt(value.getValue());
                } catch (NumberFormatException e) {
                    throw error(value, clsPath, "'" + value.getValue() + "' is not a whole number");
                }
                if (count < 0 || count > 10) {
                    throw error(value, clsPath, "a quorum is between 0 and 10 approvers");
                }
                quorum.put(cls.getKey(), count);
            }
            approvals.put(tier, Map.copyOf(quorum));
        }
        return approvals;
    }

    private List<Freeze> freezes(Node node, Map<Tier, TierPolicy> tiers) throws PolicyFileException {
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, "freezes", "must be a list of freeze windows");
        }
        List<Freeze> freezes = new ArrayList<>();
        int index = 0;
        for (Node item : sequence.getValue()) {
            String path = "freezes[" + index++ + "]";
            Map<String, Node> fields = mapping(item, path,
                    Set.of("tiers", "from", "until", "schedule", "duration", "time_zone", "deny", "reason"));
            Set<Tier> freezeTiers = new LinkedHashSet<>();
            for (ScalarNode tier : scalars(required(fields, "tiers", item, path), path + ".tiers")) {
                freezeTiers.add(definedTier(tier.getValue(), tiers, tier, path + ".tiers"));
            }
            Set<String> deny = names(required(fields, "deny", item, path), path + ".deny");
            String reason = scalar(required(fields, "reason", item, path), path + ".reason").getValue();
            if (fields.containsKey("schedule")) {
                for (String absolute : List.of("from", "until")) {
                    if (fields.containsKey(absolute)) {
                        throw error(fields.get(absolute), path + "." + absolute,
                                "a freeze has either from/until or schedule/duration/time_zone, not both");
                    }
                }
                ScalarNode scheduleNode = scalar(fields.get("schedule"), path + ".schedule");
                CronSchedule schedule;
                try {
                    schedule = CronSchedule.parse(scheduleNode.getValue());
                } catch (IllegalArgumentException e) {
                    throw error(scheduleNode, path + ".schedule", e.getMessage());
                }
                Duration duration = duration(required(fields, "duration", item, path), path + ".duration");
                if (duration.compareTo(Freeze.MAX_RECURRING_DURATION) > 0) {
                    throw error(fields.get("duration"), path + ".duration", "a recurring freeze lasts at most 14d");
                }
                ScalarNode zoneNode = scalar(required(fields, "time_zone", item, path), path + ".time_zone");
                ZoneId zone;
                try {
                    zone = ZoneId.of(zoneNode.getValue());
                } catch (DateTimeException e) {
                    throw error(zoneNode, path + ".time_zone", "'" + zoneNode.getValue()
                            + "' is not an IANA time zone such as Europe/Berlin");
                }
                freezes.add(new Freeze(freezeTiers, null, null, schedule, duration, zone, deny, reason));
            } else {
                for (String recurring : List.of("duration", "time_zone")) {
                    if (fields.containsKey(recurring)) {
                        throw error(fields.get(recurring), path + "." + recurring,
                                "duration and time_zone belong to a recurring freeze with a schedule");
                    }
                }
                Instant from = instant(required(fields, "from", item, path), path + ".from");
                Instant until = instant(required(fields, "until", item, path), path + ".until");
                if (!until.isAfter(from)) {
                    throw error(fields.get("until"), path + ".until", "must be after from");
                }
                freezes.add(new Freeze(freezeTiers, from, until, null, Duration.between(from, until), null, deny,
                        reason));
            }
        }
        return freezes;
    }

    private Map<String, DatabaseRole> databaseRoles(Node node, Map<Tier, TierPolicy> tiers)
            throws PolicyFileException {
        Map<String, DatabaseRole> roles = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : mapping(node, "database_roles", null).entrySet()) {
            String path = "database_roles." + entry.getKey();
            if (!NAME.matcher(entry.getKey()).matches()) {
                throw error(keyAt(entry.getValue()), path, "role names are 1-64 lower-case letters, digits, '_', '.' or '-'");
            }
            Map<String, Node> fields = mapping(entry.getValue(), path, null);
            ScalarNode scopeNode = scalar(required(fields, "scope", entry.getValue(), path), path + ".scope");
            Scope scope;
            try {
                scope = Scope.parse(scopeNode.getValue());
            } catch (IllegalArgumentException e) {
                throw error(scopeNode, path + ".scope", e.getMessage());
            }
            Map<Tier, Map<String, String>> backends = new LinkedHashMap<>();
            for (Map.Entry<String, Node> field : fields.entrySet()) {
                if (field.getKey().equals("scope")) {
                    continue;
                }
                String tierPath = path + "." + field.getKey();
                Tier tier = definedTier(field.getKey(), tiers, keyAt(field.getValue()), tierPath);
                Map<String, String> settings = new LinkedHashMap<>();
                for (Map.Entry<String, Node> setting : mapping(field.getValue(), tierPath, null).entrySet()) {
                    settings.put(setting.getKey(), scalar(setting.getValue(), tierPath + "." + setting.getKey()).getValue());
                }
                String provider = settings.get("provider");
                if (!"postgres".equals(provider) && !"vault".equals(provider)) {
                    throw error(field.getValue(), tierPath + ".provider", "must be postgres or vault");
                }
                backends.put(tier, Map.copyOf(settings));
            }
            roles.put(entry.getKey(), new DatabaseRole(entry.getKey(), scope, backends));
        }
        return roles;
    }

    // node helpers

    private Map<String, Node> mapping(Node node, String path, Set<String> allowed) throws PolicyFileException {
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, path, "must be a mapping of keys to values");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            ScalarNode key = scalar(tuple.getKeyNode(), path);
            String name = key.getValue();
            String keyPath = path.equals("(top level)") ? name : path + "." + name;
            if (allowed != null && !allowed.contains(name)) {
                throw error(key, keyPath, "unknown key (expected one of " + String.join(", ", sorted(allowed)) + ")");
            }
            if (out.put(name, tuple.getValueNode()) != null) {
                throw error(key, keyPath, "repeated key");
            }
            keys.put(tuple.getValueNode(), key);
        }
        return out;
    }

    private Node keyAt(Node value) {
        ScalarNode key = keys.get(value);
        return key != null ? key : value;
    }

    private ScalarNode scalar(Node node, String path) throws PolicyFileException {
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, path, "must be a single value");
        }
        return scalar;
    }

    private List<ScalarNode> scalars(Node node, String path) throws PolicyFileException {
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, path, "must be a list");
        }
        List<ScalarNode> out = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            out.add(scalar(item, path));
        }
        return out;
    }

    private Set<String> names(Node node, String path) throws PolicyFileException {
        Set<String> out = new LinkedHashSet<>();
        for (ScalarNode scalar : scalars(node, path)) {
            if (!NAME.matcher(scalar.getValue()).matches()) {
                throw error(scalar, path, "'" + scalar.getValue() + "' is not an action name");
            }
            out.add(scalar.getValue());
        }
        return out;
    }

    private Node required(Map<String, Node> fields, String key, Node parent, String path) throws PolicyFileException {
        Node node = fields.get(key);
        if (node == null) {
            throw error(parent, path, "the key '" + key + "' is required");
        }
        return node;
    }

    private Tier definedTier(String name, Map<Tier, TierPolicy> tiers, Node at, String path) throws PolicyFileException {
        Tier tier = Tier.parseOrNull(name);
        if (tier == null || !tiers.containsKey(tier)) {
            throw error(at, path, "tier '" + name + "' is not defined under tiers");
        }
        return tier;
    }

    private String agentId(ScalarNode node, String path) throws PolicyFileException {
        try {
            return new AgentId(node.getValue()).value();
        } catch (IllegalArgumentException e) {
            throw error(node, path, e.getMessage());
        }
    }

    private Duration duration(Node node, String path) throws PolicyFileException {
        ScalarNode scalar = scalar(node, path);
        Matcher m = DURATION.matcher(scalar.getValue());
        if (scalar.getValue().isEmpty() || !m.matches()) {
            throw error(scalar, path, "'" + scalar.getValue() + "' is not a duration (use s, m, h or d, e.g. 15m or 1h30m)");
        }
        Duration d = Duration.ZERO;
        if (m.group(1) != null) {
            d = d.plusDays(Long.parseLong(m.group(1)));
        }
        if (m.group(2) != null) {
            d = d.plusHours(Long.parseLong(m.group(2)));
        }
        if (m.group(3) != null) {
            d = d.plusMinutes(Long.parseLong(m.group(3)));
        }
        if (m.group(4) != null) {
            d = d.plusSeconds(Long.parseLong(m.group(4)));
        }
        if (d.isZero()) {
            throw error(scalar, path, "must be longer than zero");
        }
        return d;
    }

    private Instant instant(Node node, String path) throws PolicyFileException {
        ScalarNode scalar = scalar(node, path);
        try {
            return OffsetDateTime.parse(scalar.getValue()).toInstant();
        } catch (DateTimeException e) {
            throw error(scalar, path, "'" + scalar.getValue() + "' is not an RFC 3339 time such as 2026-12-20T00:00:00Z");
        }
    }

    private PolicyFileException error(Node node, String path, String message) {
        Optional<Mark> mark = node.getStartMark();
        String where = mark.map(m -> (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("?");
        return new PolicyFileException(label + ":" + where + ": " + path + ": " + message);
    }

    private static List<String> sorted(Set<String> names) {
        List<String> out = new ArrayList<>(new HashSet<>(names));
        out.sort(null);
        return out;
    }
}
