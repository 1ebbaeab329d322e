package dev.stint.broker.policy;

import dev.stint.broker.deployment.ConnectionCatalog;
import dev.stint.broker.yaml.YamlNodes;
import dev.stint.token.AgentId;
import dev.stint.token.ScopePattern;
import dev.stint.token.Tier;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the policy YAML into a {@link PolicyDocument}, strictly: unknown keys, repeated keys,
 * undefined tiers or groups, malformed scopes, durations and times are all errors, each reported
 * with file, line and column (1-based) and the key path. {@code database_roles} are also checked
 * against the deployment's connections ({@link DatabaseRolesReader}).
 */
public final class PolicyFileLoader {

    /** Policy files are small; a larger one is a mistake or an attack. */
    public static final int MAX_BYTES = 1 << 20;

    private static final Set<String> TOP_KEYS = Set.of(
            "tiers", "destructive_actions", "groups", "grants", "approvals", "approval_window", "reauth_within",
            "freezes", "database_roles", "federation");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?");
    /** Group, action, action-class and database-role names. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Duration MAX_TTL_LIMIT = Duration.ofDays(30);

    private final YamlNodes<PolicyFileException> nodes;
    private final ConnectionCatalog catalog;
    private final DatabaseRoleSyntax syntax;

    private PolicyFileLoader(String label, ConnectionCatalog catalog, DatabaseRoleSyntax syntax) {
        this.nodes = new YamlNodes<>(label, MAX_BYTES, PolicyFileException::new);
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.syntax = Objects.requireNonNull(syntax, "syntax");
    }

    /** {@link #load(Path, ConnectionCatalog)} for a broker without deployment file (no connections). */
    public static PolicyDocument load(Path file) throws PolicyFileException {
        return load(file, ConnectionCatalog.EMPTY);
    }

    /**
     * Reads {@code file}, labelling errors with its file name.
     *
     * @param catalog the deployment's connections, which {@code database_roles} are checked against
     */
    public static PolicyDocument load(Path file, ConnectionCatalog catalog) throws PolicyFileException {
        return parse(YamlNodes.readFile(file, MAX_BYTES, PolicyFileException::new), file.getFileName().toString(),
                catalog);
    }

    /** {@link #parse(String, String, ConnectionCatalog)} without connections. */
    public static PolicyDocument parse(String text, String label) throws PolicyFileException {
        return parse(text, label, ConnectionCatalog.EMPTY);
    }

    /** {@link #parse(String, String, ConnectionCatalog, DatabaseRoleSyntax)} with the syntax in force. */
    public static PolicyDocument parse(String text, String label, ConnectionCatalog catalog)
            throws PolicyFileException {
        return parse(text, label, catalog, DatabaseRoleSyntax.postgres());
    }

    /**
     * @param label how errors name the file
     * @param catalog the deployment's connections, which {@code database_roles} are checked against
     * @param syntax checks the grants and group roles of postgres roles
     */
    public static PolicyDocument parse(String text, String label, ConnectionCatalog catalog,
            DatabaseRoleSyntax syntax) throws PolicyFileException {
        return new PolicyFileLoader(label, catalog, syntax).read(text);
    }

    private PolicyDocument read(String text) throws PolicyFileException {
        Optional<Node> root = nodes.compose(text);
        if (root.isEmpty()) {
            throw nodes.error("the policy file is empty");
        }
        Map<String, Node> top = nodes.mapping(root.get(), YamlNodes.TOP, TOP_KEYS);
        if (!top.containsKey("tiers")) {
            throw nodes.error(root.get(), YamlNodes.TOP, "the key 'tiers' is required");
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
                ? new DatabaseRolesReader(nodes, tiers, catalog, syntax).read(top.get("database_roles")) : Map.of();
        List<FederationRule> federation = top.containsKey("federation")
                ? new FederationRulesReader(nodes).read(top.get("federation")) : List.of();
        ApprovalTiming timing = new ApprovalTiming(
                top.containsKey("approval_window") ? limited(top.get("approval_window"), "approval_window",
                        Duration.ofHours(24)) : ApprovalTiming.DEFAULT.window(),
                top.containsKey("reauth_within") ? limited(top.get("reauth_within"), "reauth_within",
                        Duration.ofHours(1)) : ApprovalTiming.DEFAULT.reauthWithin());
        return new PolicyDocument(tiers, destructive, groups, grants, approvals, freezes, roles, federation, timing);
    }

    private Duration limited(Node node, String path, Duration max) throws PolicyFileException {
        Duration value = duration(node, path);
        if (value.compareTo(max) > 0) {
            throw nodes.error(node, path, "must be at most " + Durations.format(max));
        }
        return value;
    }

    private Map<Tier, TierPolicy> tiers(Node node) throws PolicyFileException {
        Map<Tier, TierPolicy> tiers = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : nodes.mapping(node, "tiers", null).entrySet()) {
            String path = "tiers." + entry.getKey();
            Tier tier = Tier.parseOrNull(entry.getKey());
            if (tier == null) {
                throw nodes.error(nodes.keyAt(entry.getValue()), path,
                        "tier names are 1-32 lower-case letters, digits or '-', starting with a letter");
            }
            Map<String, Node> fields = nodes.mapping(entry.getValue(), path, Set.of("max_ttl", "default_ttl"));
            Duration max = duration(nodes.required(fields, "max_ttl", entry.getValue(), path), path + ".max_ttl");
            Duration def = duration(nodes.required(fields, "default_ttl", entry.getValue(), path), path + ".default_ttl");
            if (max.compareTo(MAX_TTL_LIMIT) > 0) {
                throw nodes.error(fields.get("max_ttl"), path + ".max_ttl", "must be at most 30d");
            }
            if (def.compareTo(max) > 0) {
                throw nodes.error(fields.get("default_ttl"), path + ".default_ttl", "must not exceed max_ttl");
            }
            tiers.put(tier, new TierPolicy(tier, max, def));
        }
        if (tiers.isEmpty()) {
            throw nodes.error(node, "tiers", "define at least one tier");
        }
        return tiers;
    }

    private Map<String, Set<String>> groups(Node node) throws PolicyFileException {
        Map<String, Set<String>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : nodes.mapping(node, "groups", null).entrySet()) {
            String path = "groups." + entry.getKey();
            if (!NAME.matcher(entry.getKey()).matches()) {
                throw nodes.error(nodes.keyAt(entry.getValue()), path,
                        "group names are 1-64 lower-case letters, digits, '_', '.' or '-'");
            }
            Set<String> members = new LinkedHashSet<>();
            for (ScalarNode member : nodes.scalars(entry.getValue(), path)) {
                members.add(agentId(member, path));
            }
            groups.put(entry.getKey(), members);
        }
        return groups;
    }

    private Map<String, Map<Tier, List<ScopePattern>>> grants(Node node, Map<Tier, TierPolicy> tiers,
            Map<String, Set<String>> groups) throws PolicyFileException {
        Map<String, Map<Tier, List<ScopePattern>>> grants = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : nodes.mapping(node, "grants", null).entrySet()) {
            String principal = entry.getKey();
            String path = "grants." + principal;
            if (principal.startsWith("group:")) {
                if (!groups.containsKey(principal.substring(6))) {
                    throw nodes.error(nodes.keyAt(entry.getValue()), path,
                            "group '" + principal.substring(6) + "' is not defined under groups");
                }
            } else {
                try {
                    new AgentId(principal);
                } catch (IllegalArgumentException e) {
                    throw nodes.error(nodes.keyAt(entry.getValue()), path,
                            "not an agent id or group:<name>: " + e.getMessage());
                }
            }
            Map<Tier, List<ScopePattern>> byTier = new LinkedHashMap<>();
            for (Map.Entry<String, Node> tierEntry : nodes.mapping(entry.getValue(), path, null).entrySet()) {
                String tierPath = path + "." + tierEntry.getKey();
                Tier tier = definedTier(tierEntry.getKey(), tiers, nodes.keyAt(tierEntry.getValue()), tierPath);
                List<ScopePattern> patterns = new ArrayList<>();
                for (ScalarNode scalar : nodes.scalars(tierEntry.getValue(), tierPath)) {
                    try {
                        patterns.add(ScopePattern.parse(scalar.getValue()));
                    } catch (IllegalArgumentException e) {
                        throw nodes.error(scalar, tierPath, "'" + scalar.getValue() + "': " + e.getMessage());
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
        for (Map.Entry<String, Node> entry : nodes.mapping(node, "approvals", null).entrySet()) {
            String path = "approvals." + entry.getKey();
            Tier tier = definedTier(entry.getKey(), tiers, nodes.keyAt(entry.getValue()), path);
            Map<String, Integer> quorum = new LinkedHashMap<>();
            for (Map.Entry<String, Node> cls : nodes.mapping(entry.getValue(), path, null).entrySet()) {
                String clsPath = path + "." + cls.getKey();
                if (!NAME.matcher(cls.getKey()).matches()) {
                    throw nodes.error(nodes.keyAt(cls.getValue()), clsPath,
                            "an action class is 'destructive' or an action name");
                }
                ScalarNode value = nodes.scalar(cls.getValue(), clsPath);
                int count;
                try {
                    count = Integer.parseInt(value.getValue());
                } catch (NumberFormatException e) {
                    throw nodes.error(value, clsPath, "'" + value.getValue() + "' is not a whole number");
                }
                if (count < 0 || count > 10) {
                    throw nodes.error(value, clsPath, "a quorum is between 0 and 10 approvers");
                }
                quorum.put(cls.getKey(), count);
            }
            approvals.put(tier, Map.copyOf(quorum));
        }
        return approvals;
    }

    private List<Freeze> freezes(Node node, Map<Tier, TierPolicy> tiers) throws PolicyFileException {
        if (!(node instanceof SequenceNode sequence)) {
            throw nodes.error(node, "freezes", "must be a list of freeze windows");
        }
        List<Freeze> freezes = new ArrayList<>();
        int index = 0;
        for (Node item : sequence.getValue()) {
            String path = "freezes[" + index++ + "]";
            Map<String, Node> fields = nodes.mapping(item, path,
                    Set.of("tiers", "from", "until", "schedule", "duration", "time_zone", "deny", "reason",
                            "break_glass"));
            Set<Tier> freezeTiers = new LinkedHashSet<>();
            for (ScalarNode tier : nodes.scalars(nodes.required(fields, "tiers", item, path), path + ".tiers")) {
                freezeTiers.add(definedTier(tier.getValue(), tiers, tier, path + ".tiers"));
            }
            Set<String> deny = names(nodes.required(fields, "deny", item, path), path + ".deny");
            String reason = nodes.scalar(nodes.required(fields, "reason", item, path), path + ".reason").getValue();
            int breakGlass = fields.containsKey("break_glass")
                    ? breakGlassQuorum(fields.get("break_glass"), path + ".break_glass") : 0;
            if (fields.containsKey("schedule")) {
                for (String absolute : List.of("from", "until")) {
                    if (fields.containsKey(absolute)) {
                        throw nodes.error(fields.get(absolute), path + "." + absolute,
                                "a freeze has either from/until or schedule/duration/time_zone, not both");
                    }
                }
                ScalarNode scheduleNode = nodes.scalar(fields.get("schedule"), path + ".schedule");
                CronSchedule schedule;
                try {
                    schedule = CronSchedule.parse(scheduleNode.getValue());
                } catch (IllegalArgumentException e) {
                    throw nodes.error(scheduleNode, path + ".schedule", e.getMessage());
                }
                Duration duration = duration(nodes.required(fields, "duration", item, path), path + ".duration");
                if (duration.compareTo(Freeze.MAX_RECURRING_DURATION) > 0) {
                    throw nodes.error(fields.get("duration"), path + ".duration",
                            "a recurring freeze lasts at most 14d");
                }
                ScalarNode zoneNode = nodes.scalar(nodes.required(fields, "time_zone", item, path), path + ".time_zone");
                ZoneId zone;
                try {
                    zone = ZoneId.of(zoneNode.getValue());
                } catch (DateTimeException e) {
                    throw nodes.error(zoneNode, path + ".time_zone", "'" + zoneNode.getValue()
                            + "' is not an IANA time zone such as Europe/Berlin");
                }
                freezes.add(new Freeze(freezeTiers, null, null, schedule, duration, zone, deny, reason, breakGlass));
            } else {
                for (String recurring : List.of("duration", "time_zone")) {
                    if (fields.containsKey(recurring)) {
                        throw nodes.error(fields.get(recurring), path + "." + recurring,
                                "duration and time_zone belong to a recurring freeze with a schedule");
                    }
                }
                Instant from = instant(nodes.required(fields, "from", item, path), path + ".from");
                Instant until = instant(nodes.required(fields, "until", item, path), path + ".until");
                if (!until.isAfter(from)) {
                    throw nodes.error(fields.get("until"), path + ".until", "must be after from");
                }
                freezes.add(new Freeze(freezeTiers, from, until, null, Duration.between(from, until), null, deny,
                        reason, breakGlass));
            }
        }
        return freezes;
    }

    /** {@code break_glass: {quorum: N}}: the approvers who may allow a frozen action anyway, 1 to 10. */
    private int breakGlassQuorum(Node node, String path) throws PolicyFileException {
        Map<String, Node> fields = nodes.mapping(node, path, Set.of("quorum"));
        ScalarNode value = nodes.scalar(nodes.required(fields, "quorum", node, path), path + ".quorum");
        int quorum;
        try {
            quorum = Integer.parseInt(value.getValue());
        } catch (NumberFormatException e) {
            throw nodes.error(value, path + ".quorum", "'" + value.getValue() + "' is not a whole number");
        }
        if (quorum < 1 || quorum > ApprovalNeed.MAX_QUORUM) {
            throw nodes.error(value, path + ".quorum", "a break-glass quorum is between 1 and "
                    + ApprovalNeed.MAX_QUORUM + " approvers");
        }
        return quorum;
    }

    private Set<String> names(Node node, String path) throws PolicyFileException {
        Set<String> out = new LinkedHashSet<>();
        for (ScalarNode scalar : nodes.scalars(node, path)) {
            if (!NAME.matcher(scalar.getValue()).matches()) {
                throw nodes.error(scalar, path, "'" + scalar.getValue() + "' is not an action name");
            }
            out.add(scalar.getValue());
        }
        return out;
    }

    private Tier definedTier(String name, Map<Tier, TierPolicy> tiers, Node at, String path) throws PolicyFileException {
        return definedTier(nodes, name, tiers, at, path);
    }

    /** The tier of that name, or an error at {@code at} when the policy does not define it. */
    static Tier definedTier(YamlNodes<PolicyFileException> nodes, String name, Map<Tier, TierPolicy> tiers, Node at,
            String path) throws PolicyFileException {
        Tier tier = Tier.parseOrNull(name);
        if (tier == null || !tiers.containsKey(tier)) {
            throw nodes.error(at, path, "tier '" + name + "' is not defined under tiers");
        }
        return tier;
    }

    private String agentId(ScalarNode node, String path) throws PolicyFileException {
        try {
            return new AgentId(node.getValue()).value();
        } catch (IllegalArgumentException e) {
            throw nodes.error(node, path, e.getMessage());
        }
    }

    private Duration duration(Node node, String path) throws PolicyFileException {
        ScalarNode scalar = nodes.scalar(node, path);
        Matcher m = DURATION.matcher(scalar.getValue());
        if (scalar.getValue().isEmpty() || !m.matches()) {
            throw nodes.error(scalar, path,
                    "'" + scalar.getValue() + "' is not a duration (use s, m, h or d, e.g. 15m or 1h30m)");
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
            throw nodes.error(scalar, path, "must be longer than zero");
        }
        return d;
    }

    private Instant instant(Node node, String path) throws PolicyFileException {
        ScalarNode scalar = nodes.scalar(node, path);
        try {
            return OffsetDateTime.parse(scalar.getValue()).toInstant();
        } catch (DateTimeException e) {
            throw nodes.error(scalar, path,
                    "'" + scalar.getValue() + "' is not an RFC 3339 time such as 2026-12-20T00:00:00Z");
        }
    }
}
