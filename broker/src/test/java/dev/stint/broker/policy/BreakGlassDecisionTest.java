package dev.stint.broker.policy;

import static dev.stint.broker.policy.PolicyFixtures.agent;
import static dev.stint.broker.policy.PolicyFixtures.policy;
import static dev.stint.broker.policy.PolicyFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.agents.Agent;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A freeze with {@code break_glass: {quorum: N}}: a frozen action is no longer denied outright
 * but waits for N approvers, as break-glass; a freeze without it still denies, whatever else holds.
 */
class BreakGlassDecisionTest {

    static final Instant DURING = Instant.parse("2026-12-22T10:00:00Z");
    static final Instant BEFORE = Instant.parse("2026-12-19T10:00:00Z");

    private final DocumentPolicy policy = policy("""
            tiers:
              prod: { max_ttl: 15m, default_ttl: 5m }
            destructive_actions: [delete, ddl]
            grants:
              demo-agent:
                prod: ["db:orders:read", "db:orders:write", "db:orders:delete", "db:orders:ddl"]
            approvals:
              prod: { destructive: 1 }
            freezes:
              - tiers: [prod]
                from: 2026-12-20T00:00:00Z
                until: 2027-01-04T00:00:00Z
                deny: [delete, write]
                reason: Year-end change freeze
                break_glass: { quorum: 3 }
              - tiers: [prod]
                from: 2026-12-20T00:00:00Z
                until: 2027-01-04T00:00:00Z
                deny: [ddl]
                reason: No schema changes at year end
            """);
    private final Agent demo = agent("demo-agent", "prod");

    private Decision decide(Instant now, String... scopes) {
        return policy.decide(request(demo, "prod", null, now, scopes));
    }

    @Test
    void frozenActionWaitsForTheBreakGlassQuorum() {
        Decision decision = decide(DURING, "db:orders:delete");

        assertThat(decision.pending()).isTrue();
        assertThat(decision.approval().quorum()).isEqualTo(3);
        assertThat(decision.approval().isBreakGlass()).isTrue();
        assertThat(decision.reason()).contains("frozen in tier prod until 2027-01-04T00:00:00Z: Year-end change freeze")
                .contains("break-glass needs approval by 3 distinct humans");
    }

    @Test
    void breakGlassQuorumAndTheTiersOwnQuorumTheLargerApplies() {
        Decision decision = decide(DURING, "db:orders:write", "db:orders:delete");

        assertThat(decision.approval().quorum()).isEqualTo(3);
        assertThat(decision.approval().describe()).contains("db:orders:write (break-glass, 3)")
                .contains("db:orders:delete (destructive, 1)");
    }

    @Test
    void freezeWithoutBreakGlassStillDenies() {
        Decision decision = decide(DURING, "db:orders:delete", "db:orders:ddl");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.pending()).isFalse();
        assertThat(decision.reason()).contains("No schema changes at year end");
    }

    @Test
    void outsideTheFreezeTheTiersOwnQuorumIsNotBreakGlass() {
        Decision decision = decide(BEFORE, "db:orders:delete");

        assertThat(decision.approval().quorum()).isEqualTo(1);
        assertThat(decision.approval().isBreakGlass()).isFalse();
    }

    @Test
    void unfrozenActionIsNotTouched() {
        assertThat(decide(DURING, "db:orders:read").allowed()).isTrue();
    }

    @Test
    void brokenGlassTokensAreNotCutAtAFreezeWhoseQuorumTheyMet() {
        List<Scope> scopes = List.of(Scope.parse("db:orders:delete"));

        assertThat(policy.nextFreeze(new Tier("prod"), scopes, DURING, Duration.ofMinutes(5))).contains(DURING);
        assertThat(policy.nextFreeze(new Tier("prod"), scopes, DURING, Duration.ofMinutes(5), 3)).isEmpty();
        assertThat(policy.nextFreeze(new Tier("prod"), scopes, DURING, Duration.ofMinutes(5), 2)).contains(DURING);
        assertThat(policy.nextFreeze(new Tier("prod"), List.of(Scope.parse("db:orders:ddl")), DURING,
                Duration.ofMinutes(5), 3)).contains(DURING);
    }
}
