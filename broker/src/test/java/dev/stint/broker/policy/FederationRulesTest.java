package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.AgentId;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy's federation rules: read strictly, with the line of each mistake, and matched exactly. */
class FederationRulesTest {

    static final String TIERS = "tiers:\n  dev: { max_ttl: 1h, default_ttl: 15m }\n";

    static PolicyDocument parse(String federation) throws PolicyFileException {
        return PolicyFileLoader.parse(TIERS + federation, "policy.yaml");
    }

    @Test
    void ruleIsReadWithItsClaimsAndLine() throws Exception {
        PolicyDocument policy = parse("""
                federation:
                  - issuer: https://token.actions.githubusercontent.com
                    audience: https://stint.example.com
                    agent: ci-migrations
                    claims:
                      repository_id: "892734"
                      ref: {glob: "refs/heads/release-*"}
                      event_name: [push, workflow_dispatch]
                """);

        FederationRule rule = policy.federation().get(0);
        assertThat(rule.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(rule.audience()).isEqualTo("https://stint.example.com");
        assertThat(rule.agent()).isEqualTo(new AgentId("ci-migrations"));
        assertThat(rule.claims()).containsOnlyKeys("repository_id", "ref", "event_name");
        assertThat(rule.where()).isEqualTo("federation[0] (line 4)");
    }

    static Stream<Arguments> badRules() {
        return Stream.of(
                bad("no audience", "  - { issuer: https://ci.example.com, agent: ci, claims: { project_id: \"7\" } }",
                        "policy.yaml:4:5: federation[0]: the key 'audience' is required"),
                bad("no stable id claim", "  - { issuer: https://ci.example.com, audience: a, agent: ci,"
                        + " claims: { ref: main } }", "policy.yaml:4:71: federation[0].claims: name at least one"
                        + " stable id claim exactly (namespace_id, project_id, repository_id, repository_owner_id):"
                        + " repository and project names are recycled after a rename"),
                bad("stable id only as a glob", "  - { issuer: https://ci.example.com, audience: a, agent: ci,"
                        + " claims: { repository_id: {glob: \"*\"} } }", "federation[0].claims: name at least one"),
                bad("no claims", "  - { issuer: https://ci.example.com, audience: a, agent: ci }",
                        "federation[0]: the key 'claims' is required"),
                bad("no issuer", "  - { audience: a, agent: ci, claims: { project_id: \"7\" } }",
                        "federation[0]: the key 'issuer' is required"),
                bad("issuer with a query", "  - { issuer: \"https://ci.example.com/?x=1\", audience: a, agent: ci,"
                        + " claims: { project_id: \"7\" } }", "federation[0].issuer: must be an https URL"),
                bad("issuer over ftp", "  - { issuer: \"ftp://ci.example.com\", audience: a, agent: ci,"
                        + " claims: { project_id: \"7\" } }", "federation[0].issuer: must be an https URL"),
                bad("agent id with SQL", "  - { issuer: https://ci.example.com, audience: a, agent: \"x'; DROP"
                        + " TABLE agents;--\", claims: { project_id: \"7\" } }", "federation[0].agent:"),
                bad("unknown key", "  - { issuer: https://ci.example.com, audience: a, agent: ci, subject: x,"
                        + " claims: { project_id: \"7\" } }", "federation[0].subject: unknown key (expected one of agent, audience, claims, issuer)"),
                bad("rule loosens aud itself", "  - { issuer: https://ci.example.com, audience: a, agent: ci,"
                        + " claims: { project_id: \"7\", aud: b } }", "federation[0].claims.aud: the broker checks"
                        + " aud itself"),
                bad("claim name with upper case", "  - { issuer: https://ci.example.com, audience: a, agent: ci,"
                        + " claims: { project_id: \"7\", Ref: main } }", "claim names are 1-64 lower-case"),
                bad("empty value list", "  - { issuer: https://ci.example.com, audience: a, agent: ci,"
                        + " claims: { project_id: [] } }", "federation[0].claims.project_id: list at least one value"),
                bad("glob with another key", "  - { issuer: https://ci.example.com, audience: a, agent: ci,"
                        + " claims: { project_id: \"7\", ref: { regex: \".*\" } } }", "federation[0].claims.ref.regex: unknown key (expected one of glob)"),
                bad("value with a control character", "  - { issuer: https://ci.example.com, audience: a,"
                        + " agent: ci, claims: { project_id: \"7\\u0007\" } }", "must be printable ASCII"),
                bad("not a list", "  issuer: https://ci.example.com", "federation: must be a list of rules"));
    }

    static Arguments bad(String name, String rules, String message) {
        return Arguments.of(name, rules, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRules")
    void badRuleIsALoadErrorAtItsLine(String name, String rules, String message) {
        assertThatThrownBy(() -> parse("federation:\n" + rules + "\n"))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageContaining(message);
    }

    static FederationRule rule(Map<String, ClaimMatch> claims) {
        return new FederationRule("https://ci.example.com", "aud", new AgentId("ci"), claims, "federation[0]");
    }

    static ClaimMatch exact(String... values) {
        return new ClaimMatch(java.util.Set.of(values), List.of());
    }

    static ClaimMatch glob(String pattern) {
        return new ClaimMatch(java.util.Set.of(), List.of(pattern));
    }

    @Test
    void everyClaimMustMatch() {
        FederationRule rule = rule(Map.of("repository_id", exact("7"), "ref", exact("refs/heads/main")));

        assertThat(rule.matchesClaims(Map.of("repository_id", "7", "ref", "refs/heads/main"))).isTrue();
        assertThat(rule.matchesClaims(Map.of("repository_id", "7", "ref", "refs/heads/dev"))).isFalse();
        assertThat(rule.matchesClaims(Map.of("ref", "refs/heads/main"))).isFalse();
    }

    @Test
    void onlyStringClaimsMatch() {
        FederationRule rule = rule(Map.of("repository_id", exact("7")));

        assertThat(rule.matchesClaims(Map.of("repository_id", 7L))).isFalse();
        assertThat(rule.matchesClaims(Map.of("repository_id", List.of("7")))).isFalse();
        assertThat(rule.matchesClaims(Map.of("repository_id", true))).isFalse();
    }

    @Test
    void singleStarStopsAtASlashAndDoubleStarDoesNot() {
        assertThat(glob("refs/heads/release-*").matches("refs/heads/release-2.4")).isTrue();
        assertThat(glob("refs/heads/release-*").matches("refs/heads/release-2/x")).isFalse();
        assertThat(glob("refs/heads/**").matches("refs/heads/a/b")).isTrue();
        assertThat(glob("refs/tags/v?").matches("refs/tags/v1")).isTrue();
        assertThat(glob("a.b").matches("axb")).isFalse(); // everything but * and ? is literal
        assertThat(glob("(x|y)").matches("x")).isFalse();
    }

    @Test
    void pullRequestEventsMatchOnlyARuleThatNamesThem() {
        FederationRule silent = rule(Map.of("repository_id", exact("7")));
        FederationRule naming = rule(Map.of("repository_id", exact("7"), "event_name", exact("push",
                "pull_request")));
        FederationRule globbing = rule(Map.of("repository_id", exact("7"), "event_name", glob("*")));

        for (String event : List.of("pull_request", "pull_request_target", "pull_request_review")) {
            assertThat(silent.matchesClaims(Map.of("repository_id", "7", "event_name", event))).as(event).isFalse();
            assertThat(globbing.matchesClaims(Map.of("repository_id", "7", "event_name", event))).as(event).isFalse();
        }
        assertThat(naming.matchesClaims(Map.of("repository_id", "7", "event_name", "pull_request"))).isTrue();
        assertThat(naming.matchesClaims(Map.of("repository_id", "7", "event_name", "pull_request_target"))).isFalse();
        assertThat(silent.matchesClaims(Map.of("repository_id", "7", "event_name", "push"))).isTrue();
    }

    @Test
    void mergeRequestPipelinesMatchOnlyARuleThatNamesThem() {
        FederationRule silent = rule(Map.of("project_id", exact("7")));
        FederationRule naming = rule(Map.of("project_id", exact("7"), "pipeline_source", exact("merge_request_event")));

        assertThat(silent.matchesClaims(Map.of("project_id", "7", "pipeline_source", "merge_request_event"))).isFalse();
        assertThat(silent.matchesClaims(Map.of("project_id", "7", "pipeline_source", "external_pull_request_event")))
                .isFalse();
        assertThat(naming.matchesClaims(Map.of("project_id", "7", "pipeline_source", "merge_request_event"))).isTrue();
        assertThat(silent.matchesClaims(Map.of("project_id", "7", "pipeline_source", "push"))).isTrue();
    }

    @Test
    void audienceMayBeOneOfAList() {
        FederationRule rule = rule(Map.of("project_id", exact("7")));

        assertThat(rule.audienceMatches("aud")).isTrue();
        assertThat(rule.audienceMatches(List.of("other", "aud"))).isTrue();
        assertThat(rule.audienceMatches("AUD")).isFalse();
        assertThat(rule.audienceMatches(null)).isFalse();
    }
}
