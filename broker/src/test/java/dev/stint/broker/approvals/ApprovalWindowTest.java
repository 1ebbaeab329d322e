package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request lives for the policy's approval_window (10 minutes by default), never past its task's
 * deadline; when it ends without the quorum, the sweeps close it and deny the task, saying why.
 */
class ApprovalWindowTest {

    @TempDir
    Path dataDir;
    MutableClock clock = new MutableClock(PendingApprovalTest.TUESDAY);
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "prod"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void windowIsTenMinutesByDefault() {
        JsonNode approval = approval(open(900L).text("approval_id"));

        assertThat(Instant.parse(approval.get("window_ends_at").asText()))
                .isEqualTo(PendingApprovalTest.TUESDAY.plus(Duration.ofMinutes(10)));
    }

    @Test
    void windowNeverRunsPastTheDeadline() {
        JsonNode approval = approval(open(120L).text("approval_id"));

        assertThat(approval.get("window_ends_at").asText()).isEqualTo(approval.get("deadline").asText());
    }

    @Test
    void requestPastItsWindowExpiresAndItsTaskIsDenied() {
        Response opened = open(900L);
        Approvers.approver(broker, "bob").approve(opened.text("approval_id"));

        clock.advance(Duration.ofMinutes(10));

        JsonNode task = awaitTaskEnded(opened.text("task_id"));
        assertThat(task.get("status").asText()).isEqualTo("denied");
        assertThat(task.get("end_reason").asText()).contains("approval request " + opened.text("approval_id")
                + " expired").contains("with 1 of 2 approval(s)");
        assertThat(approval(opened.text("approval_id")).get("status").asText()).isEqualTo("expired");
        assertThat(broker.get("/v1/approvals?status=expired", broker.adminToken()).json().get("approvals"))
                .hasSize(1);
    }

    private Response open(long ttlSeconds) {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", ttlSeconds);
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        return opened;
    }

    private JsonNode approval(String id) {
        return broker.get("/v1/approvals/" + id, broker.adminToken()).json();
    }

    /** The sweeps run every second on their own: wait for them, not for the clock. */
    private JsonNode awaitTaskEnded(String taskId) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode body = broker.get("/v1/tasks/" + taskId, broker.adminToken()).json();
            JsonNode task = body.has("tasks") ? body.get("tasks").get(0) : body;
            if (!task.get("status").asText().equals("pending_approval") || System.nanoTime() > until) {
                return task;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
