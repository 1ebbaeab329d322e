package dev.stint.broker.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.policy.ReloadingPolicy;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@code POST /v1/agents} refuses in the fields a human or a log will read back. */
class AgentRegistrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static Policy policy;
    static ECKey p256;

    @BeforeAll
    static void load() throws Exception {
        policy = ReloadingPolicy.load(BrokerHarness.SAMPLE_POLICY);
        p256 = new ECKeyGenerator(Curve.P_256).generate().toPublicJWK();
    }

    /** The public P-256 key with these JSON members set (a null value removes the member). */
    static JsonNode jwks(String... members) throws Exception {
        var key = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(p256.toJSONString());
        key.put("kid", "k1");
        for (int i = 0; i < members.length; i += 2) {
            key.set(members[i], JSON.readTree(members[i + 1]));
        }
        return JSON.createObjectNode().set("keys", JSON.createArrayNode().add(key));
    }

    static AgentRegistration registration(String owner, String purpose, JsonNode jwks) {
        return new AgentRegistration("new-agent", owner, purpose, List.of("dev"), jwks);
    }

    record Refusal(String name, AgentRegistration registration, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() throws Exception {
        return Stream.of(
                new Refusal("kid with NUL", registration("alice", "work", jwks("kid", "\"k\\u0000\"")),
                        "a kid in jwks has control, non-ASCII or invisible characters; use 1-128 printable ASCII characters"),
                new Refusal("kid with ESC", registration("alice", "work", jwks("kid", "\"k\\u001b[31m\"")),
                        "a kid in jwks has control, non-ASCII or invisible characters; use 1-128 printable ASCII characters"),
                new Refusal("kid with a right-to-left override", registration("alice", "work", jwks("kid", "\"k\\u202e1\"")),
                        "a kid in jwks has control, non-ASCII or invisible characters; use 1-128 printable ASCII characters"),
                new Refusal("EC key pinned to alg none", registration("alice", "work", jwks("alg", "\"none\"")),
                        "key k1 declares alg none; a key of this type may only declare ES256"),
                new Refusal("EC key pinned to HS256", registration("alice", "work", jwks("alg", "\"HS256\"")),
                        "key k1 declares alg HS256; a key of this type may only declare ES256"),
                new Refusal("P-256 key pinned to ES384", registration("alice", "work", jwks("alg", "\"ES384\"")),
                        "key k1 declares alg ES384; a key of this type may only declare ES256"),
                new Refusal("EC key pinned to RS256", registration("alice", "work", jwks("alg", "\"RS256\"")),
                        "key k1 declares alg RS256; a key of this type may only declare ES256"),
                new Refusal("purpose with a lone surrogate", registration("alice", "work \ud800 here", jwks()),
                        "purpose contains an unpaired surrogate; send valid Unicode text"),
                new Refusal("owner with a lone low surrogate", registration("al\udc00ice", "work", jwks()),
                        "owner contains an unpaired surrogate; send valid Unicode text"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusedWithItsReason(Refusal refusal) {
        assertThatThrownBy(() -> refusal.registration().toAgent(policy, NOW))
                .isInstanceOf(RejectedException.class)
                .hasMessage(refusal.detail());
    }

    @Test
    void keyDeclaringItsOwnAlgorithmIsAccepted() throws Exception {
        Agent agent = registration("alice", "work", jwks("alg", "\"ES256\"")).toAgent(policy, NOW);

        assertThat(agent.jwks().getKeys()).hasSize(1);
    }

    @Test
    void pairedSurrogatesAreText() throws Exception {
        Agent agent = registration("alice \ud83d\ude80", "work", jwks()).toAgent(policy, NOW);

        assertThat(agent.owner()).isEqualTo("alice \ud83d\ude80");
    }

    @Test
    void malformedCertificateChainIsRefusedWithoutNamingJavaClasses() throws Exception {
        AgentRegistration bad = registration("alice", "work", jwks("x5c", "[\"AAAA\"]"));

        assertThatThrownBy(() -> bad.toAgent(policy, NOW))
                .isInstanceOf(RejectedException.class)
                .hasMessageStartingWith("jwks is not a valid JWK Set: ")
                .hasMessageNotContaining("java.")
                .hasMessageNotContaining("Exception");
    }
}
