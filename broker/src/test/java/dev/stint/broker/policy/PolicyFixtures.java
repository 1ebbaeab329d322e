package dev.stint.broker.policy;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/** Small builders shared by the policy tests. */
final class PolicyFixtures {

    static final Instant REGISTERED = Instant.parse("2026-01-01T00:00:00Z");

    private PolicyFixtures() {
    }

    static Agent agent(String id, AgentStatus status, String... tiers) {
        return new Agent(new AgentId(id), "team-" + id, "policy tests",
                Stream.of(tiers).map(Tier::new).toList(), new JWKSet(), status, REGISTERED, REGISTERED);
    }

    static Agent agent(String id, String... tiers) {
        return agent(id, AgentStatus.ACTIVE, tiers);
    }

    static List<Scope> scopes(String... texts) {
        return Stream.of(texts).map(Scope::parse).toList();
    }

    static PolicyRequest request(Agent agent, String tier, Duration ttl, Instant now, String... scopes) {
        return new PolicyRequest(agent.subject(), new Tier(tier), scopes(scopes), ttl, now);
    }

    static DocumentPolicy policy(String yaml) {
        try {
            return new DocumentPolicy(PolicyFileLoader.parse(yaml, "policy.yaml"));
        } catch (PolicyFileException e) {
            throw new AssertionError("fixture policy does not load: " + e.getMessage(), e);
        }
    }
}
