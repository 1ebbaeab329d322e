package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task whose scopes need approval opens pending, with its request, and nothing is issued for it. */
class PendingApprovalTest {

    /** A Tuesday, outside the sample policy's freezes. */
    static final Instant TUESDAY = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;
    MutableClock clock = new MutableClock(TUESDAY);
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "prod");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void guardedTaskOpensPendingWithItsApprovalId() {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null);

        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        assertThat(opened.text("status")).isEqualTo("pending_approval");
        assertThat(opened.text("approval_id")).startsWith("apr_");
    }

    @Test
    void nothingIsIssuedForAPendingTask() {
        String taskId = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null).text("task_id");

        Response mint = broker.mint(agentToken, taskId);

        assertThat(mint.status()).as(mint.body()).isEqualTo(409);
    }

    @Test
    void openingIsAuditedAsPendingWithTheRequest() {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null);

        JsonNode records = broker.get("/v1/audit?task_id=" + opened.text("task_id"), broker.adminToken()).json()
                .get("records");
        JsonNode open = records.get(0);
        assertThat(open.get("action").asText()).isEqualTo("task.open");
        assertThat(open.get("decision").asText()).isEqualTo("pending");
        assertThat(open.get("reason").asText()).contains("needs approval by 2 distinct humans")
                .contains("approval " + opened.text("approval_id"));
    }

    @Test
    void unguardedTaskStillOpensActive() {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:read\"]", null);

        assertThat(opened.text("status")).isEqualTo("active");
        assertThat(opened.json().has("approval_id")).isFalse();
    }
}
