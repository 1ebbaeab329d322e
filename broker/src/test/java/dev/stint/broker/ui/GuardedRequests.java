package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.TestAgent;
import java.time.Instant;

/**
 * Scenario steps for the approval pages: an agent whose prod tasks deleting orders need two
 * approvers under the sample policy, and its tasks opened pending.
 */
final class GuardedRequests {

    /** A Tuesday, outside the sample policy's freezes. */
    static final Instant TUESDAY = Instant.parse("2026-11-24T10:00:00Z");
    static final String AGENT = "demo-agent";

    /** An opened task and its approval request. */
    record Opened(String taskId, String approvalId) {
    }

    private final BrokerHarness broker;
    private final String agentToken;

    private GuardedRequests(BrokerHarness broker, String agentToken) {
        this.broker = broker;
        this.agentToken = agentToken;
    }

    /** Registers {@link #AGENT} (as admin) with {@code owner}, and signs it in. */
    static GuardedRequests ownedBy(BrokerHarness broker, String owner) {
        TestAgent agent = TestAgent.generate(AGENT);
        BrokerHarness.Response registered = broker.postJson("/v1/agents", "{\"agent_id\":\"" + AGENT + "\",\"owner\":"
                + People.quoted(owner) + ",\"purpose\":\"clears orders\",\"tiers\":[\"prod\"],\"jwks\":"
                + agent.publicJwks() + "}", broker.adminToken());
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return new GuardedRequests(broker, broker.agentToken(agent));
    }

    String agentToken() {
        return agentToken;
    }

    /** Opens a 15-minute prod task deleting orders, which waits for approval. */
    Opened open(String purpose) {
        return open(purpose, "[\"db:orders:delete\"]");
    }

    Opened open(String purpose, String scopesJson) {
        BrokerHarness.Response opened = broker.postJson("/v1/tasks", "{\"tier\":\"prod\",\"purpose\":"
                + People.quoted(purpose) + ",\"scopes\":" + scopesJson + ",\"ttl_seconds\":900}", agentToken);
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        assertThat(opened.text("status")).isEqualTo("pending_approval");
        return new Opened(opened.text("task_id"), opened.text("approval_id"));
    }

    /** The task's status, read with the agent's own token. */
    String taskStatus(String taskId) {
        BrokerHarness.Response task = broker.get("/v1/tasks/" + taskId, agentToken);
        assertThat(task.status()).as(task.body()).isEqualTo(200);
        return task.text("status");
    }
}
