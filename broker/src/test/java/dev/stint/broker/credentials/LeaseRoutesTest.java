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

/** Who may list which leases, and what the end of a task reports about them. */
class LeaseRoutesTest {

    @TempDir
    Path dataDir;

    BrokerHarness broker;
    TestAgent agent;
    String agentToken;
    String taskId;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, new MutableClock(Instant.parse("2026-11-28T10:00:00Z")));
        agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
        taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 900L).text("task_id");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void theOwnerListsItsTasksLeases() {
        Response leases = broker.get("/v1/tasks/" + taskId + "/leases", agentToken);

        assertThat(leases.status()).isEqualTo(200);
        assertThat(leases.json().get("leases").isArray()).isTrue();
    }

    @Test
    void theAdminListsATasksLeases() {
        Response leases = broker.get("/v1/tasks/" + taskId + "/leases", broker.adminToken());

        assertThat(leases.status()).isEqualTo(200);
    }

    @Test
    void anotherAgentCannotTellTheTaskExists() {
        TestAgent other = broker.registerAgent("other-agent", "dev");

        Response leases = broker.get("/v1/tasks/" + taskId + "/leases", broker.agentToken(other));

        assertThat(leases.status()).isEqualTo(404);
    }

    @Test
    void endingATaskReportsItsLeases() {
        Response ended = broker.postJson("/v1/tasks/" + taskId + "/end", "", agentToken);

        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.text("status")).isEqualTo("ended");
        assertThat(ended.json().get("leases").isArray()).isTrue();
    }

    @Test
    void theAdminListsLeasesByState() {
        Response failed = broker.get("/v1/leases?state=failed", broker.adminToken());

        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.json().get("leases").size()).isZero();
    }

    static Stream<Arguments> badListings() {
        return Stream.of(
                Arguments.of("/v1/leases", 400),
                Arguments.of("/v1/leases?state=gone", 400),
                Arguments.of("/v1/leases?state=failed'%20OR%201=1--", 400),
                Arguments.of("/v1/tasks/..%2F..%2Fetc/leases", 400));
    }

    @ParameterizedTest
    @MethodSource("badListings")
    void malformedListingsAreRefusedAsProblems(String path, int status) {
        Response refused = broker.get(path, broker.adminToken());

        assertThat(refused.status()).isEqualTo(status);
        assertThat(refused.contentType()).startsWith("application/problem+json");
    }

    @Test
    void anAgentCannotListTheDeploymentsLeases() {
        Response refused = broker.get("/v1/leases?state=failed", agentToken);

        assertThat(refused.status()).isIn(401, 403);
    }
}
