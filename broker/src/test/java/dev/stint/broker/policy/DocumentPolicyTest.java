package dev.stint.broker.policy;

import static dev.stint.broker.policy.PolicyFixtures.agent;
import static dev.stint.broker.policy.PolicyFixtures.policy;
import static dev.stint.broker.policy.PolicyFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Grants, agent state, approvals and TTLs as {@link DocumentPolicy#decide} applies them (no freezes here). */
class DocumentPolicyTest {

    private static final String POLICY = """
            tiers:
              dev:     { max_ttl: 8h,  default_ttl: 1h }
              staging: { max_ttl: 2h,  default_ttl: 30m }
              prod:    { max_ttl: 15m, default_ttl: 5m }
            destructive_actions: [delete, ddl, admin]
            groups:
              readers: [report-bot]
            grants:
              demo-agent:
                dev:     ["db:*:read", "db:orders:write"]
                staging: ["db:orders:read", "db:orders:delete"]
                prod:    ["db:orders:read", "db:orders:write", "db:orders:delete", "db:orders:ddl",
                          "db:orders:admin", "db:orders:export"]
              group:readers:
                dev:     ["db:*:read"]
            approvals:
              prod: { write: 1, destructive: 2 }
            """;

    private static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");

    private final DocumentPolicy policy = policy(POLICY);
    private final Agent demo = agent("demo-agent", "dev", "staging", "prod");
    private final Agent reportBot = agent("report-bot", "dev", "staging");

    private Decision decide(Agent agent, String tier, Duration ttl, String... scopes) {
        return policy.decide(request(agent, tier, ttl, NOW, scopes));
    }

    // --- allow and TTL -----------------------------------------------------------------------

    @Test
    void grantedScopeWithoutRequestedTtlGetsTheTierDefault() {
        Decision decision = decide(demo, "dev", null, "db:orders:read");

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.ALLOW);
        assertThat(decision.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(decision.reason())
                .isEqualTo("scopes db:orders:read granted to agent demo-agent in tier dev for the tier default 1h");
    }

    @Test
    void requestedTtlAboveMaxIsCappedAtMaxTtl() {
        Decision decision = decide(demo, "dev", Duration.ofHours(9), "db:orders:read");

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.ttl()).isEqualTo(Duration.ofHours(8));
        assertThat(decision.reason()).isEqualTo("scopes db:orders:read granted to agent demo-agent in tier dev"
                + " for 8h (asked 9h, capped at the tier's max_ttl)");
    }

    @Test
    void requestedTtlUnderMaxIsKept() {
        Decision decision = decide(demo, "dev", Duration.ofMinutes(90), "db:orders:read");

        assertThat(decision.ttl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(decision.reason())
                .isEqualTo("scopes db:orders:read granted to agent demo-agent in tier dev for 1h30m as asked");
    }

    @Test
    void requestedTtlEqualToMaxIsKept() {
        Decision decision = decide(demo, "prod", Duration.ofMinutes(15), "db:orders:read");

        assertThat(decision.ttl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(decision.reason())
                .isEqualTo("scopes db:orders:read granted to agent demo-agent in tier prod for 15m as asked");
    }

    @Test
    void capUsesTheRequestedTiersMaxTtlNotAnotherTiers() {
        Decision decision = decide(demo, "prod", Duration.ofHours(1), "db:orders:read");

        assertThat(decision.ttl()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void allowReasonListsAllScopesInCanonicalOrder() {
        Decision decision = decide(demo, "dev", null, "db:orders:write", "db:customers:read", "db:orders:write");

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.reason()).isEqualTo("scopes db:customers:read db:orders:write granted to agent"
                + " demo-agent in tier dev for the tier default 1h");
    }

    // --- denials before grants ----------------------------------------------------------------

    @Test
    void undefinedTierIsDenied() {
        Agent qaAgent = agent("demo-agent", "qa");

        Decision decision = decide(qaAgent, "qa", null, "db:orders:read");

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.DENY);
        assertThat(decision.ttl()).isNull();
        assertThat(decision.reason()).isEqualTo("tier qa is not defined in the policy");
    }

    @Test
    void agentNotRegisteredForTheTierIsDenied() {
        Agent devOnly = agent("demo-agent", "dev");

        Decision decision = decide(devOnly, "prod", null, "db:orders:read");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).isEqualTo("agent demo-agent is not registered for tier prod");
    }

    @Test
    void suspendedAgentIsDeniedEvenForGrantedScopes() {
        Agent suspended = agent("demo-agent", AgentStatus.SUSPENDED, "dev");

        Decision decision = decide(suspended, "dev", null, "db:orders:read");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).isEqualTo("agent demo-agent is suspended");
    }

    @Test
    void retiredAgentIsDenied() {
        Agent retired = agent("demo-agent", AgentStatus.RETIRED, "dev");

        assertThat(decide(retired, "dev", null, "db:orders:read").reason())
                .isEqualTo("agent demo-agent is retired");
    }

    @Test
    void requestWithoutScopesIsDenied() {
        Decision decision = decide(demo, "dev", null);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).isEqualTo("a task needs at least one scope");
    }

    // --- grants ------------------------------------------------------------------------------

    @Test
    void ungrantedScopeIsDeniedNamingScopeAgentAndTier() {
        Decision decision = decide(demo, "dev", null, "db:orders:delete");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).isEqualTo("scope db:orders:delete is not granted to agent demo-agent in tier dev");
    }

    @Test
    void oneUngrantedScopeDeniesTheWholeRequest() {
        Decision decision = decide(demo, "dev", null, "db:orders:read", "db:orders:delete");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).isEqualTo("scope db:orders:delete is not granted to agent demo-agent in tier dev");
    }

    @Test
    void severalUngrantedScopesAreAllNamed() {
        Decision decision = decide(demo, "dev", null, "db:orders:read", "db:users:delete", "db:orders:ddl");

        assertThat(decision.reason())
                .isEqualTo("scopes db:orders:ddl db:users:delete are not granted to agent demo-agent in tier dev");
    }

    @Test
    void grantInOneTierDoesNotCarryToAnother() {
        Decision decision = decide(demo, "staging", null, "db:orders:write");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:write is not granted to agent demo-agent in tier staging");
    }

    @Test
    void agentWithoutAnyGrantIsDenied() {
        Agent stranger = agent("stranger-bot", "dev");

        assertThat(decide(stranger, "dev", null, "db:orders:read").reason())
                .isEqualTo("scope db:orders:read is not granted to agent stranger-bot in tier dev");
    }

    @Test
    void groupGrantAppliesToItsMembers() {
        Decision decision = decide(reportBot, "dev", null, "db:sales:read");

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.reason())
                .isEqualTo("scopes db:sales:read granted to agent report-bot in tier dev for the tier default 1h");
    }

    @Test
    void groupGrantAppliesOnlyInItsTier() {
        assertThat(decide(reportBot, "staging", null, "db:sales:read").reason())
                .isEqualTo("scope db:sales:read is not granted to agent report-bot in tier staging");
    }

    @Test
    void groupGrantDoesNotReachNonMembers() {
        Agent other = agent("other-bot", "dev");

        assertThat(decide(other, "dev", null, "db:sales:read").allowed()).isFalse();
    }

    @ParameterizedTest(name = "db:*:read grants {0}")
    @ValueSource(strings = {"db:orders:read", "db:sales:read", "db:orders.archive:read", "db:a:read"})
    void grantWildcardMatchesAnyOneResourceSegment(String scope) {
        assertThat(decide(reportBot, "dev", null, scope).allowed()).isTrue();
    }

    @ParameterizedTest(name = "db:*:read does not grant {0}")
    @ValueSource(strings = {"db:orders:write", "db:orders:readall", "kv:orders:read", "dbx:orders:read"})
    void grantWildcardMatchesExactlyOneSegmentAndNothingElse(String scope) {
        assertThat(decide(reportBot, "dev", null, scope).reason())
                .isEqualTo("scope " + scope + " is not granted to agent report-bot in tier dev");
    }

    // --- approvals ---------------------------------------------------------------------------

    @Test
    void scopeNeedingOneApproverMakesTheTaskWaitSayingSo() {
        Decision decision = decide(demo, "prod", null, "db:orders:write");

        assertThat(decision.pending()).isTrue();
        assertThat(decision.reason()).isEqualTo("scope db:orders:write (write, 1) in tier prod needs approval by 1"
                + " distinct human");
        assertThat(decision.approval().quorum()).isEqualTo(1);
        assertThat(decision.ttl()).isEqualTo(java.time.Duration.ofMinutes(5));
    }

    @ParameterizedTest(name = "{0} is destructive and needs 2 approvers")
    @ValueSource(strings = {"delete", "ddl", "admin"})
    void destructiveActionsNeedTheDestructiveQuorum(String action) {
        Decision decision = decide(demo, "prod", null, "db:orders:" + action);

        assertThat(decision.pending()).isTrue();
        assertThat(decision.reason()).isEqualTo("scope db:orders:" + action + " (destructive, 2) in tier prod needs"
                + " approval by 2 distinct humans");
    }

    @Test
    void actionWithoutAQuorumNeedsNoApproval() {
        assertThat(decide(demo, "prod", null, "db:orders:export").allowed()).isTrue();
    }

    @Test
    void approvalsApplyOnlyInTheirTier() {
        assertThat(decide(demo, "staging", null, "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void oneScopeNeedingApprovalMakesTheWholeTaskWait() {
        Decision decision = decide(demo, "prod", null, "db:orders:read", "db:orders:delete");

        assertThat(decision.pending()).isTrue();
        assertThat(decision.approval().guarded()).extracting(g -> g.scope().toString())
                .containsExactly("db:orders:delete");
        assertThat(decision.reason()).startsWith("scope db:orders:delete (destructive, 2) in tier prod");
    }

    @Test
    void theLargestQuorumOfTheGuardedScopesIsTheTasks() {
        Decision decision = decide(demo, "prod", null, "db:orders:write", "db:orders:delete");

        assertThat(decision.approval().quorum()).isEqualTo(2);
        assertThat(decision.reason()).isEqualTo("scopes db:orders:delete (destructive, 2), db:orders:write (write, 1)"
                + " in tier prod need approval by 2 distinct humans");
    }

    @Test
    void ungrantedScopeIsReportedBeforeApprovals() {
        Agent devOnlyGrants = agent("report-bot", "prod");

        assertThat(decide(devOnlyGrants, "prod", null, "db:orders:delete").reason())
                .isEqualTo("scope db:orders:delete is not granted to agent report-bot in tier prod");
    }

    @Test
    void zeroQuorumNeedsNoApproval() {
        DocumentPolicy zero = policy("""
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                destructive_actions: [delete]
                grants:
                  demo-agent:
                    prod: ["db:orders:delete"]
                approvals:
                  prod: { destructive: 0 }
                """);

        assertThat(zero.decide(request(demo, "prod", null, NOW, "db:orders:delete")).allowed()).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "delete, destructive",
        "ddl,    destructive",
        "admin,  destructive",
        "write,  write",
        "read,   read",
        "export, export",
    })
    void destructiveActionsMapToTheDestructiveClassOthersToTheirName(String action, String actionClass) {
        assertThat(policy.document().actionClass(action)).isEqualTo(actionClass);
    }

    @Test
    void quorumUnderADestructiveActionsOwnNameIsNotIgnored() {
        DocumentPolicy byName = policy("""
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                destructive_actions: [delete]
                grants:
                  demo-agent:
                    prod: ["db:orders:delete"]
                approvals:
                  prod: { delete: 2 }
                """);

        Decision decision = byName.decide(request(demo, "prod", null, NOW, "db:orders:delete"));

        assertThat(decision.pending()).isTrue();
        assertThat(decision.reason()).startsWith("scope db:orders:delete (destructive, 2) in tier prod");
    }

    // --- tier lookup -------------------------------------------------------------------------

    @Test
    void tierReturnsTheLimitsOfADefinedTier() {
        assertThat(policy.tier(new Tier("staging")))
                .contains(new TierPolicy(new Tier("staging"), Duration.ofHours(2), Duration.ofMinutes(30)));
    }

    @Test
    void tierIsEmptyForAnUndefinedTier() {
        assertThat(policy.tier(new Tier("qa"))).isEmpty();
    }
}
