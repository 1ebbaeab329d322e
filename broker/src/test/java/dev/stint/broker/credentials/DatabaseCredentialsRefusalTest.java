package dev.stint.broker.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Database-credential requests that must be refused, each with a problem+json that says why,
 * and none of which issues anything: on the sample policy, with no deployment file (so no backend).
 */
class DatabaseCredentialsRefusalTest {

    @TempDir
    Path dataDir;

    BrokerHarness broker;
    String agentToken;
    String devTask;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, new MutableClock(Instant.parse("2026-11-28T10:00:00Z")));
        TestAgent agent = broker.registerAgent("demo-agent", "dev", "staging");
        agentToken = broker.agentToken(agent);
        devTask = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 900L).text("task_id");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Response ask(String task, String body) {
        return broker.postJson("/v1/tasks/" + task + "/database-credentials", body, agentToken);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("{\"role\": \"orders'; DROP ROLE x; --\"}", 400),
                Arguments.of("{\"role\": \"Orders-Readonly\"}", 400),
                Arguments.of("{\"role\": \"../../sys/seal\"}", 400),
                Arguments.of("{\"role\": \"\"}", 400),
                Arguments.of("{\"role\": null}", 400),
                Arguments.of("{\"role\": \"" + "a".repeat(64) + "\"}", 400),
                Arguments.of("{\"role\": \"orders\\u0000x\"}", 400),
                Arguments.of("{}", 400),
                Arguments.of("{\"role\": 7}", 400),
                Arguments.of("not json", 400),
                Arguments.of("{\"role\": \"orders-readonly\", \"grants\": \"ALL\"}", 400));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRequestsAreRefusedWithAProblem(String body, int status) {
        Response refused = ask(devTask, body);

        assertThat(refused.status()).isEqualTo(status);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertNothingIssued();
    }

    @Test
    void aRoleThePolicyDoesNotDefineIsForbidden() {
        Response refused = ask(devTask, "{\"role\": \"payments-admin\"}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("defines no database role payments-admin for tier dev");
        assertNothingIssued();
    }

    @Test
    void aRoleWhoseScopeTheTaskDoesNotHoldIsForbidden() {
        String writeTask = broker.openTask(agentToken, "dev", "[\"db:orders:write\"]", 900L).text("task_id");

        Response refused = ask(writeTask, "{\"role\": \"orders-readonly\"}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("needs scope db:orders:read");
        assertNothingIssued();
    }

    @Test
    void aRoleNotDefinedForTheTasksTierIsForbidden() {
        String stagingTask = broker.openTask(agentToken, "staging", "[\"db:orders:read\"]", 900L).text("task_id");

        Response refused = ask(stagingTask, "{\"role\": \"orders-readonly\"}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("for tier staging");
    }

    @Test
    void anEndedTaskGetsNoLogin() {
        broker.postJson("/v1/tasks/" + devTask + "/end", "", agentToken);

        Response refused = ask(devTask, "{\"role\": \"orders-readonly\"}");

        assertThat(refused.status()).isEqualTo(409);
        assertNothingIssued();
    }

    @Test
    void withoutABackendForTheTierTheAnswerIs503AndSaysSo() {
        Response unavailable = ask(devTask, "{\"role\": \"orders-readonly\"}");

        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(unavailable.text("detail")).contains("no postgres backend is configured for tier dev");
        assertNothingIssued();
    }

    @Test
    void theAdminCannotTakeALoginForAnAgentsTask() {
        Response refused = broker.postJson("/v1/tasks/" + devTask + "/database-credentials",
                "{\"role\": \"orders-readonly\"}", broker.adminToken());

        assertThat(refused.status()).isIn(401, 403);
    }

    private void assertNothingIssued() {
        Response leases = broker.get("/v1/tasks/" + devTask + "/leases", agentToken);
        assertThat(leases.json().get("leases").size()).isZero();
    }
}
