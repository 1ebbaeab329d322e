package dev.stint.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 4 (least privilege) and promise 7 (audited before effect) through the real HTTP API with
 * the sample policy: a task the policy does not allow is answered 403 with the policy's exact
 * reason, that same reason is already in the audit log when the answer arrives, and no task exists.
 */
class PolicyDenialTest {

    /** A Tuesday, clear of the sample policy's freezes. */
    static final Instant TUESDAY = Instant.parse("2026-11-24T10:00:00Z");
    /** Friday 2026-11-27 16:00 Europe/Berlin (CET, UTC+1): the weekend freeze starts. */
    static final Instant FREEZE_START = Instant.parse("2026-11-27T15:00:00Z");
    /** 64 h later: Monday 2026-11-30 08:00 Europe/Berlin. */
    static final Instant FREEZE_END = Instant.parse("2026-11-30T07:00:00Z");
    static final String POLICY_DENIED = "urn:stint:problem:policy-denied";
    static final String WEEKEND_FREEZE = "scope db:orders:delete is frozen in tier prod until " + FREEZE_END
            + ": No destructive changes over the weekend";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(TUESDAY);
    BrokerHarness broker;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    static Stream<Arguments> deniedTasks() {
        return Stream.of(
                denial("scope not granted", "demo-agent", "dev", "[\"db:users:write\"]", TUESDAY,
                        "scope db:users:write is not granted to agent demo-agent in tier dev"),
                denial("two scopes not granted", "demo-agent", "dev", "[\"db:users:write\",\"db:orders:ddl\"]", TUESDAY,
                        "scopes db:orders:ddl db:users:write are not granted to agent demo-agent in tier dev"),
                denial("one granted scope does not carry an ungranted one", "demo-agent", "dev",
                        "[\"db:orders:read\",\"db:users:delete\"]", TUESDAY,
                        "scope db:users:delete is not granted to agent demo-agent in tier dev"),
                denial("write granted in dev is not granted in staging", "demo-agent", "staging",
                        "[\"db:orders:write\"]", TUESDAY,
                        "scope db:orders:write is not granted to agent demo-agent in tier staging"),
                denial("wildcard read grant does not cover write", "cleanup-bot", "dev", "[\"db:scratch:write\"]",
                        TUESDAY, "scope db:scratch:write is not granted to agent cleanup-bot in tier dev"),
                denial("another agent's grant does not apply", "cleanup-bot", "dev", "[\"db:orders:write\"]", TUESDAY,
                        "scope db:orders:write is not granted to agent cleanup-bot in tier dev"),
                denial("prod delete one second into the weekend freeze", "demo-agent", "prod", "[\"db:orders:delete\"]",
                        FREEZE_START.plusSeconds(1), WEEKEND_FREEZE),
                denial("prod delete one second before the weekend freeze ends", "demo-agent", "prod",
                        "[\"db:orders:delete\"]", FREEZE_END.minusSeconds(1), WEEKEND_FREEZE),
                denial("prod delete during the year-end freeze", "demo-agent", "prod", "[\"db:orders:delete\"]",
                        Instant.parse("2026-12-22T10:00:00Z"), "scope db:orders:delete is frozen in tier prod until"
                                + " 2027-01-04T00:00:00Z: Year-end change freeze"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deniedTasks")
    void deniedTaskIsRefusedWithThePolicyReasonAuditedFirst(String name, String agentId, String tier, String scopes,
            Instant at, String reason) {
        clock.set(at);
        String agentToken = broker.agentToken(broker.registerAgent(agentId, "dev", "staging", "prod"));
        long head = auditHead();

        Response response = openTask(agentToken, "denied-1", tier, scopes);

        assertDenied(response, reason);
        assertOnlyRecordIsTheDenial(head, agentId, "denied-1", tier, reason);
        assertThat(broker.get("/v1/tasks/denied-1", agentToken).status()).isEqualTo(404);
    }

    @Test
    void taskInTierTheAgentIsNotRegisteredForIsDenied() {
        String agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev"));
        long head = auditHead();

        Response response = openTask(agentToken, "denied-1", "staging", "[\"db:orders:read\"]");

        String reason = "agent demo-agent is not registered for tier staging";
        assertDenied(response, reason);
        assertOnlyRecordIsTheDenial(head, "demo-agent", "denied-1", "staging", reason);
        assertThat(broker.get("/v1/tasks/denied-1", agentToken).status()).isEqualTo(404);
    }

    @Test
    void denialIsFoundByAgentQueryTheMomentItIsAnswered() {
        String agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev", "staging", "prod"));

        Response response = openTask(agentToken, "denied-1", "dev", "[\"db:users:write\"]");
        List<JsonNode> audit = records(broker.get("/v1/audit?agent_id=demo-agent", broker.adminToken()));

        JsonNode last = audit.get(audit.size() - 1);
        assertThat(last.get("action").asText()).isEqualTo("task.open");
        assertThat(last.get("decision").asText()).isEqualTo("deny");
        assertThat(last.get("reason").asText()).isEqualTo(response.text("detail"));
        assertThat(records(broker.get("/v1/audit?task_id=denied-1", broker.adminToken()))).hasSize(1);
    }

    @Test
    void deniedTaskIdStaysFreeForAnAllowedTask() {
        String agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev", "staging", "prod"));
        openTask(agentToken, "denied-1", "dev", "[\"db:users:write\"]");

        Response allowed = openTask(agentToken, "denied-1", "dev", "[\"db:orders:read\"]");

        assertThat(allowed.status()).as(allowed.body()).isEqualTo(201);
        assertThat(allowed.json().get("scopes").get(0).asText()).isEqualTo("db:orders:read");
    }

    @Test
    void prodReadIsAllowedWhileTheWeekendFreezeHoldsDeletes() {
        clock.set(FREEZE_START.plusSeconds(1));
        String agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev", "staging", "prod"));

        Response response = openTask(agentToken, "read-1", "prod", "[\"db:orders:read\"]");

        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    // helpers

    private static Arguments denial(String name, String agentId, String tier, String scopes, Instant at,
            String reason) {
        return Arguments.of(name, agentId, tier, scopes, at, reason);
    }

    private Response openTask(String agentToken, String taskId, String tier, String scopes) {
        return broker.postJson("/v1/tasks", "{\"task_id\":\"" + taskId + "\",\"tier\":\"" + tier
                + "\",\"purpose\":\"policy probe\",\"scopes\":" + scopes + ",\"ttl_seconds\":300}", agentToken);
    }

    private static void assertDenied(Response response, String reason) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.text("type")).isEqualTo(POLICY_DENIED);
        assertThat(response.text("title")).isEqualTo("Denied by policy");
        assertThat(response.json().get("status").asInt()).isEqualTo(403);
        assertThat(response.text("detail")).isEqualTo(reason);
    }

    private void assertOnlyRecordIsTheDenial(long head, String agentId, String taskId, String tier, String reason) {
        List<JsonNode> audit = records(broker.get("/v1/audit?after=" + head, broker.adminToken()));
        assertThat(audit).as("exactly one new record: the denial").hasSize(1);
        JsonNode record = audit.get(0);
        assertThat(record.get("action").asText()).isEqualTo("task.open");
        assertThat(record.get("decision").asText()).isEqualTo("deny");
        assertThat(record.get("actor").asText()).isEqualTo("agent:" + agentId);
        assertThat(record.get("agent_id").asText()).isEqualTo(agentId);
        assertThat(record.get("task_id").asText()).isEqualTo(taskId);
        assertThat(record.get("tier").asText()).isEqualTo(tier);
        assertThat(record.get("reason").asText()).isEqualTo(reason);
    }

    private long auditHead() {
        return broker.get("/health", null).json().get("audit_head_seq").asLong();
    }

    private static List<JsonNode> records(Response audit) {
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        audit.json().get("records").forEach(out::add);
        return out;
    }
}
