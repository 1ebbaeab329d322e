package dev.stint.broker.policy;

import dev.stint.broker.yaml.YamlNodes;
import dev.stint.token.AgentId;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the policy's {@code federation} list ({@link FederationRule}). A rule without an
 * {@code audience}, or without at least one stable id claim matched exactly, is an error at its
 * line: a rule must never let in every repository of an issuer, or a repository that took over a
 * deleted one's name.
 */
final class FederationRulesReader {

    static final int MAX_RULES = 200;
    private static final Set<String> RULE_KEYS = Set.of("issuer", "audience", "agent", "claims");
    private static final Pattern CLAIM_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
    /** Claims the broker itself checks; a rule may not loosen or restate them. */
    private static final Set<String> RESERVED = Set.of("iss", "aud", "exp", "nbf", "iat", "jti");
    private static final int MAX_VALUE = 512;

    private final YamlNodes<PolicyFileException> nodes;

    FederationRulesReader(YamlNodes<PolicyFileException> nodes) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
    }

    List<FederationRule> read(Node node) throws PolicyFileException {
        if (!(node instanceof SequenceNode sequence)) {
            throw nodes.error(node, "federation", "must be a list of rules");
        }
        if (sequence.getValue().size() > MAX_RULES) {
            throw nodes.error(node, "federation", "at most " + MAX_RULES + " rules");
        }
        List<FederationRule> rules = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            rules.add(rule(item, "federation[" + rules.size() + "]"));
        }
        return rules;
    }

    private FederationRule rule(Node node, String path) throws PolicyFileException {
        Map<String, Node> fields = nodes.mapping(node, path, RULE_KEYS);
        String issuer = issuer(nodes.scalar(nodes.required(fields, "issuer", node, path), path + ".issuer"),
                path + ".issuer");
        ScalarNode audienceNode = nodes.scalar(nodes.required(fields, "audience", node, path), path + ".audience");
        String audience = text(audienceNode, path + ".audience");
        ScalarNode agentNode = nodes.scalar(nodes.required(fields, "agent", node, path), path + ".agent");
        AgentId agent;
        try {
            agent = new AgentId(agentNode.getValue());
        } catch (IllegalArgumentException e) {
            throw nodes.error(agentNode, path + ".agent", e.getMessage());
        }
        Node claimsNode = nodes.required(fields, "claims", node, path);
        Map<String, ClaimMatch> claims = claims(claimsNode, path + ".claims");
        boolean pinned = claims.entrySet().stream().anyMatch(claim ->
                FederationRule.STABLE_ID_CLAIMS.contains(claim.getKey()) && claim.getValue().globs().isEmpty());
        if (!pinned) {
            throw nodes.error(claimsNode, path + ".claims", "name at least one stable id claim exactly ("
                    + String.join(", ", FederationRule.STABLE_ID_CLAIMS.stream().sorted().toList())
                    + "): repository and project names are recycled after a rename");
        }
        int line = node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
        return new FederationRule(issuer, audience, agent, claims, path + " (line " + line + ")");
    }

    private String issuer(ScalarNode node, String path) throws PolicyFileException {
        String value = text(node, path);
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw nodes.error(node, path, "is not a URL");
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw nodes.error(node, path, "must be an https URL with a host and no user info, query or fragment,"
                    + " exactly as the token's iss claim writes it (http only on loopback, for issuers the"
                    + " deployment file lists under federation.allow_http_issuers)");
        }
        return value;
    }

    private Map<String, ClaimMatch> claims(Node node, String path) throws PolicyFileException {
        Map<String, ClaimMatch> claims = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : nodes.mapping(node, path, null).entrySet()) {
            String claimPath = path + "." + entry.getKey();
            if (!CLAIM_NAME.matcher(entry.getKey()).matches()) {
                throw nodes.error(nodes.keyAt(entry.getValue()), claimPath,
                        "claim names are 1-64 lower-case letters, digits or '_'");
            }
            if (RESERVED.contains(entry.getKey())) {
                throw nodes.error(nodes.keyAt(entry.getValue()), claimPath, "the broker checks "
                        + entry.getKey() + " itself; write the rule's issuer and audience instead");
            }
            claims.put(entry.getKey(), match(entry.getValue(), claimPath));
        }
        return claims;
    }

    /** {@code value}, {@code [value, ...]}, {@code {glob: pattern}}, or a list mixing both. */
    private ClaimMatch match(Node node, String path) throws PolicyFileException {
        Set<String> exact = new LinkedHashSet<>();
        List<String> globs = new ArrayList<>();
        List<Node> items = node instanceof SequenceNode sequence ? sequence.getValue() : List.of(node);
        if (items.isEmpty()) {
            throw nodes.error(node, path, "list at least one value");
        }
        for (Node item : items) {
            if (item instanceof MappingNode) {
                Map<String, Node> glob = nodes.mapping(item, path, Set.of("glob"));
                ScalarNode pattern = nodes.scalar(nodes.required(glob, "glob", item, path), path + ".glob");
                globs.add(text(pattern, path + ".glob"));
            } else {
                exact.add(text(nodes.scalar(item, path), path));
            }
        }
        return new ClaimMatch(exact, globs);
    }

    private String text(ScalarNode node, String path) throws PolicyFileException {
        String value = node.getValue();
        if (value.isEmpty() || value.length() > MAX_VALUE) {
            throw nodes.error(node, path, "must be 1-" + MAX_VALUE + " characters");
        }
        if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw nodes.error(node, path, "must be printable ASCII");
        }
        return value;
    }
}
