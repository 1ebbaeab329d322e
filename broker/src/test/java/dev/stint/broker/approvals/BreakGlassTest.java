package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Break-glass through the broker: during a freeze that names {@code break_glass: {quorum: 2}}, a
 * frozen action waits for two approvers instead of being refused, every step is recorded as
 * break-glass, and once approved its tokens are not cut at the freeze it broke.
 */
class BreakGlassTest {

    static final Instant DURING = Instant.parse("2026-12-22T10:00:00Z");

    @TempDir
    Path dir;
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                destructive_actions: [delete]
                grants:
                  demo-agent:
                    prod: ["db:orders:read", "db:orders:delete"]
                approvals:
                  prod: { destructive: 1 }
                freezes:
                  - tiers: [prod]
                    from: 2026-12-20T00:00:00Z
                    until: 2027-01-04T00:00:00Z
                    deny: [delete]
                    reason: Year-end change freeze
                    break_glass: { quorum: 2 }
                """);
        broker = BrokerHarness.start(dir.resolve("data"), policy, new MutableClock(DURING), o -> o);
        TestAgent agent = broker.registerAgent("demo-agent", "prod");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void frozenActionIsAllowedWithTheBreakGlassQuorumAndRecordedAsSuch() throws Exception {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null);
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        assertThat(opened.text("status")).isEqualTo("pending_approval");
        String approvalId = opened.text("approval_id");
        JsonNode approval = broker.get("/v1/approvals/" + approvalId, broker.adminToken()).json();
        assertThat(approval.get("break_glass").asBoolean()).isTrue();
        assertThat(approval.get("quorum").asInt()).isEqualTo(2);

        assertThat(Approvers.approver(broker, "bob").approve(approvalId).status()).isEqualTo(200);
        assertThat(Approvers.approver(broker, "carol").approve(approvalId).status()).isEqualTo(200);
        Response mint = broker.mint(agentToken, opened.text("task_id"));

        assertThat(mint.status()).as(mint.body()).isEqualTo(200);
        var claims = SignedJWT.parse(mint.text("access_token")).getJWTClaimsSet();
        assertThat(claims.getStringListClaim("approvals")).containsExactly("bob", "carol");
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(DURING.plus(Duration.ofMinutes(5)));
        String audit = broker.get("/v1/audit?task_id=" + opened.text("task_id"), broker.adminToken()).body();
        assertThat(audit).contains("frozen in tier prod until 2027-01-04T00:00:00Z: Year-end change freeze")
                .contains("bob approved break-glass request").contains("carol approved break-glass request")
                .contains("break-glass request " + approvalId + " approved by bob, carol")
                .contains("break-glass; approved by bob, carol");
    }

    @Test
    void oneApprovalIsNotEnoughToBreakTheGlass() {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null);

        Approvers.approver(broker, "bob").approve(opened.text("approval_id"));

        assertThat(broker.mint(agentToken, opened.text("task_id")).status()).isEqualTo(409);
    }

    @Test
    void requestPageSaysItIsBreakGlass() {
        String approvalId = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null).text("approval_id");
        Approvers bob = Approvers.approver(broker, "bob");

        String page = bob.browser.get("/ui/approvals/" + approvalId).body();

        assertThat(page).contains("<span class=\"badge break-glass\">Break-glass</span>")
                .contains("lets this task through a freeze in force");
    }
}
