package dev.stint.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An anonymous client cannot fill the disk: refused credentials are counted, live in
 * {@code GET /health}, and reach the audit log as at most {@link FailureTally#DEFAULT_MAX_KINDS}
 * summaries plus one remainder per window, whatever the number of requests. A refused caller who
 * did authenticate still gets its own record before the answer. The chain stays valid.
 */
class UnauthenticatedRefusalAuditTest {

    static final int K = FailureTally.DEFAULT_MAX_KINDS;
    static final Pattern COUNT = Pattern.compile("^(\\d+) (refused|more) ");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    BrokerHarness broker;
    TestAgent agent;
    String agentToken;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void fiveHundredGarbageBearerRequestsLeaveAtMostKPlusOneRecordsWithTheirTotal() {
        List<String> garbage = List.of("stint_at_" + "A".repeat(43), "garbage", "stint_admin_" + "B".repeat(43),
                "stint_at_" + "C".repeat(600));
        long head = head();

        for (int i = 0; i < 500; i++) {
            assertThat(broker.get("/v1/tasks/t-1", garbage.get(i % garbage.size())).status()).isEqualTo(401);
        }

        assertThat(health().get("refused_unauthenticated").asLong()).as("live count").isEqualTo(500);
        assertThat(head()).as("nothing written per request").isEqualTo(head);
        broker.flushRefusals();
        List<JsonNode> records = after(head);
        assertThat(records).hasSizeLessThanOrEqualTo(K + 1);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.get("actor").asText()).isEqualTo("anonymous");
            assertThat(r.get("action").asText()).isEqualTo("auth.bearer");
            assertThat(r.get("decision").asText()).isEqualTo("deny");
        });
        assertThat(records.stream().mapToLong(UnauthenticatedRefusalAuditTest::countOf).sum()).isEqualTo(500);
        assertThat(records).extracting(r -> r.get("reason").asText()).anySatisfy(reason ->
                assertThat(reason).matches("125 refused from \\S+ to \\S+: the agent token is not known"));
        assertChainValid();
    }

    @Test
    void fiveHundredAssertionsClaimingDistinctAgentsLeaveKSummariesAndOneRemainder() {
        long head = head();
        TestAgent anyKey = TestAgent.generate("ghost");

        for (int i = 0; i < 500; i++) {
            TestAgent ghost = new TestAgent("ghost-" + i, anyKey.key());
            assertThat(broker.requestAgentToken(ghost.assertion(broker.issuer(), clock.instant())).status())
                    .isEqualTo(401);
        }

        assertThat(health().get("refused_unauthenticated").asLong()).isEqualTo(500);
        broker.flushRefusals();
        List<JsonNode> records = after(head);
        assertThat(records).hasSize(K + 1);
        assertThat(records.subList(0, K)).allSatisfy(r -> {
            assertThat(r.get("action").asText()).isEqualTo("agent.authenticate");
            assertThat(r.get("agent_id").asText()).startsWith("ghost-");
        });
        assertThat(records.get(K).get("action").asText()).isEqualTo(FailureTally.REMAINDER_ACTION);
        assertThat(records.get(K).get("reason").asText()).endsWith("agent.authenticate refused " + (500 - K));
        assertThat(records.stream().mapToLong(UnauthenticatedRefusalAuditTest::countOf).sum()).isEqualTo(500);
        assertChainValid();
    }

    static Stream<Arguments> authenticatedRefusals() {
        return Stream.of(
                Arguments.of("agent token at an admin endpoint",
                        (Function<UnauthenticatedRefusalAuditTest, Response>) t -> t.broker.get("/v1/audit",
                                t.agentToken),
                        "agent:demo-agent", "demo-agent", "this endpoint needs the admin credential"),
                Arguments.of("admin credential at an agent endpoint",
                        (Function<UnauthenticatedRefusalAuditTest, Response>) t -> t.broker.postJson("/v1/tasks", "{}",
                                t.broker.adminToken()),
                        "admin", null, "this endpoint needs an agent token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticatedRefusals")
    void refusedAuthenticatedCallerHasItsOwnRecordBeforeTheAnswer(String name,
            Function<UnauthenticatedRefusalAuditTest, Response> request, String actor, String agentId,
            String reason) {
        long head = head();

        Response response = request.apply(this);

        assertThat(response.status()).isEqualTo(403);
        assertThat(head()).as("written before the answer, no flush").isEqualTo(head + 1);
        JsonNode record = after(head).get(0);
        assertThat(record.get("actor").asText()).isEqualTo(actor);
        assertThat(record.get("action").asText()).isEqualTo("auth.bearer");
        assertThat(record.get("decision").asText()).isEqualTo("deny");
        assertThat(record.get("agent_id").isNull() ? null : record.get("agent_id").asText()).isEqualTo(agentId);
        assertThat(record.get("reason").asText()).isEqualTo(reason);
        assertThat(health().get("refused_unauthenticated").asLong()).isZero();
    }

    @Test
    void countsStillPendingAreRecordedOnCleanShutdown() {
        for (int i = 0; i < 3; i++) {
            broker.get("/v1/tasks/t-1", "garbage");
        }
        long head = head();

        broker.restart();

        List<JsonNode> records = after(head);
        assertThat(records).extracting(r -> r.get("reason").asText()).containsExactly(
                "3 refused from 2026-11-24T10:00:00Z to 2026-11-24T10:00:00Z:"
                        + " the bearer token is not an agent token; get one at /oauth2/token");
        assertChainValid();
    }

    // helpers

    private JsonNode health() {
        return broker.get("/health", null).json();
    }

    /** The audit head as it is: no flush. */
    private long head() {
        return health().get("audit_head_seq").asLong();
    }

    private List<JsonNode> after(long seq) {
        List<JsonNode> records = new ArrayList<>();
        broker.get("/v1/audit?after=" + seq, broker.adminToken()).json().get("records").forEach(records::add);
        return records;
    }

    private void assertChainValid() {
        JsonNode verified = broker.get("/v1/audit/verify", broker.adminToken()).json();
        assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();
    }

    private static long countOf(JsonNode record) {
        Matcher m = COUNT.matcher(record.get("reason").asText());
        assertThat(m.find()).as(record.get("reason").asText()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
