package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.ui.PagesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The approval of a guarded task, through the real API: the sample policy asks two distinct
 * approvers for {@code db:orders:delete} in prod; the agent's owner is alice@example.com.
 */
class ApprovalFlowTest {

    @TempDir
    Path dataDir;
    MutableClock clock = new MutableClock(PendingApprovalTest.TUESDAY);
    BrokerHarness broker;
    String agentToken;
    String taskId;
    String approvalId;
    Approvers bob;
    Approvers carol;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "prod");
        agentToken = broker.agentToken(agent);
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", 3600L);
        assertThat(opened.text("status")).as(opened.body()).isEqualTo("pending_approval");
        taskId = opened.text("task_id");
        approvalId = opened.text("approval_id");
        bob = Approvers.approver(broker, "bob");
        carol = Approvers.approver(broker, "carol");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void twoDistinctApproversActivateTheTaskAndItsTokenNamesThem() throws Exception {
        PagesClient.Page first = bob.approve(approvalId, "checked the ticket");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.text("status")).isEqualTo("pending");
        assertThat(taskStatus()).isEqualTo("pending_approval");

        PagesClient.Page second = carol.approve(approvalId);

        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.text("status")).isEqualTo("approved");
        assertThat(taskStatus()).isEqualTo("active");
        Response mint = broker.mint(agentToken, taskId);
        assertThat(mint.status()).as(mint.body()).isEqualTo(200);
        assertThat(SignedJWT.parse(mint.text("access_token")).getJWTClaimsSet().getStringListClaim("approvals"))
                .containsExactly("bob", "carol");
    }

    @Test
    void oneApprovalIsNotAQuorum() {
        bob.approve(approvalId);

        assertThat(taskStatus()).isEqualTo("pending_approval");
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(409);
    }

    @Test
    void ownerCannotApproveTheirOwnAgentsTask() {
        Approvers alice = Approvers.signedIn(broker, "alice", "Alice@Example.com", "[\"approver\"]");

        PagesClient.Page refused = alice.approve(approvalId);

        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("cannot approve its own agent's task");
        assertThat(approval().get("votes")).isEmpty();
    }

    @Test
    void aCommentOfSeveralLinesIsKeptOnOne() {
        PagesClient.Page denied = bob.browser.post("/v1/approvals/" + approvalId + "/deny",
                "{\"comment\":\"not now:\\nthe migration runs until 18:00\"}");

        assertThat(denied.status()).as(denied.body()).isEqualTo(200);
        assertThat(taskJson().get("end_reason").asText()).contains("not now: the migration runs until 18:00");
    }

    @Test
    void nobodyApprovesTwice() {
        assertThat(bob.approve(approvalId).status()).isEqualTo(200);

        PagesClient.Page again = bob.approve(approvalId);

        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.text("detail")).contains("nobody approves twice");
        assertThat(taskStatus()).isEqualTo("pending_approval");
    }

    @Test
    void oneDenyEndsTheTaskAsDenied() {
        bob.approve(approvalId);

        PagesClient.Page denied = carol.deny(approvalId, "not during the migration");

        assertThat(denied.status()).as(denied.body()).isEqualTo(200);
        assertThat(denied.text("status")).isEqualTo("denied");
        assertThat(taskStatus()).isEqualTo("denied");
        assertThat(taskJson().get("end_reason").asText()).contains("denied by carol").contains("not during the migration");
    }

    @Test
    void approvalAfterItsWindowIsRefused() {
        clock.advance(Duration.ofMinutes(11));

        PagesClient.Page late = bob.approve(approvalId);

        assertThat(late.status()).as(late.body()).isEqualTo(409);
        assertThat(late.text("detail")).contains("expired");
    }

    @Test
    void disabledPersonsApprovalNoLongerCounts() {
        Approvers dave = Approvers.approver(broker, "dave");
        dave.approve(approvalId);
        assertThat(broker.postJson("/v1/people/dave/disable", "{}", broker.adminToken()).status()).isEqualTo(200);

        bob.approve(approvalId);

        assertThat(taskStatus()).isEqualTo("pending_approval");
        carol.approve(approvalId);
        assertThat(taskStatus()).isEqualTo("active");
    }

    @Test
    void approverDisabledAfterTheQuorumWasMetEndsTheTaskItNoLongerHas() {
        bob.approve(approvalId);
        carol.approve(approvalId);
        assertThat(taskStatus()).isEqualTo("active");
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);

        Response disabled = broker.postJson("/v1/people/carol/disable", "{}", broker.adminToken());

        assertThat(disabled.status()).isEqualTo(200);
        assertThat(taskStatus()).isEqualTo("ended");
        assertThat(taskJson().get("end_reason").asText())
                .contains("approval " + approvalId + " lost its quorum: carol was disabled (1 of 2 approval(s) left)");
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(409);
        assertThat(broker.get("/v1/audit?task_id=" + taskId, broker.adminToken()).body())
                .contains("1 token(s) revoked");
        assertThat(broker.get("/v1/audit", broker.adminToken()).body())
                .contains("carol disabled by admin; 1 session(s) ended, 0 enrollment link(s) voided, 1 approved task(s) ended");
    }

    @Test
    void agentSuspendedWhilePendingEndsTheTaskAndClosesTheRequest() {
        bob.approve(approvalId);
        assertThat(broker.postJson("/v1/agents/demo-agent/suspend", "{}", broker.adminToken()).status())
                .isEqualTo(200);

        PagesClient.Page late = carol.approve(approvalId);

        assertThat(late.status()).as(late.body()).isEqualTo(409);
        assertThat(approval().get("status").asText()).isEqualTo("expired");
        assertThat(taskStatus()).isEqualTo("ended");
    }

    @Test
    void assertionOverAnotherTasksChallengeIsRefused() {
        String otherApproval = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", 3600L)
                .text("approval_id");
        JsonNode otherOptions = bob.options(otherApproval).json();
        JsonNode options = bob.options(approvalId).json();

        PagesClient.Page moved = bob.answer(approvalId, options, bob.key.assertion(bob.honest(otherOptions)), null);

        assertThat(moved.status()).as(moved.body()).isEqualTo(400);
        assertThat(moved.text("detail")).contains("challenge");
        assertThat(approval().get("votes")).isEmpty();
    }

    @Test
    void approvalReplayedOnAnotherTaskIsRefused() {
        String otherApproval = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", 3600L)
                .text("approval_id");
        JsonNode options = bob.options(approvalId).json();

        PagesClient.Page replayed = bob.answer(otherApproval, options, bob.key.assertion(bob.honest(options)), null);

        assertThat(replayed.status()).as(replayed.body()).isEqualTo(400);
        assertThat(replayed.text("detail")).contains("belongs to another request");
    }

    @Test
    void sameAssertionCannotBeSpentTwice() {
        JsonNode options = bob.options(approvalId).json();
        String assertion = bob.key.assertion(bob.honest(options));
        assertThat(bob.answer(approvalId, options, assertion, null).status()).isEqualTo(200);

        PagesClient.Page replayed = carol.answer(approvalId, options, assertion, null);

        assertThat(replayed.status()).as(replayed.body()).isIn(400);
    }

    @Test
    void assertionWithoutUserVerificationIsRefused() {
        JsonNode options = bob.options(approvalId).json();
        var made = bob.honest(options);

        PagesClient.Page refused = bob.answer(approvalId, options, bob.key.assertion(
                new dev.stint.broker.people.TestAuthenticator.Made(made.origin(), made.rpId(), made.challenge(), false)),
                null);

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.text("detail")).contains("user verification");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"options", "approve", "deny"})
    void postWithoutCsrfTokenIsRefused(String action) {
        PagesClient.Page refused = bob.browser.postWithoutCsrf("/v1/approvals/" + approvalId + "/" + action, "{}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:csrf-rejected");
        assertThat(taskStatus()).isEqualTo("pending_approval");
    }

    @Test
    void adminMayReadButNeverApprove() {
        Response read = broker.get("/v1/approvals/" + approvalId, broker.adminToken());
        Response approve = broker.postJson("/v1/approvals/" + approvalId + "/approve", "{}", broker.adminToken());

        assertThat(read.status()).isEqualTo(200);
        assertThat(approve.status()).as(approve.body()).isEqualTo(403);
        assertThat(taskStatus()).isEqualTo("pending_approval");
    }

    @Test
    void pendingListShowsTheRequestNewestFirst() {
        clock.advance(Duration.ofSeconds(1));
        String newer = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", 3600L).text("approval_id");

        JsonNode list = broker.get("/v1/approvals?status=pending", broker.adminToken()).json().get("approvals");

        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("approval_id").asText()).isEqualTo(newer);
        assertThat(list.get(1).get("approval_id").asText()).isEqualTo(approvalId);
    }

    @Test
    void evidenceNamesTheDigestAndTheAssertion() {
        bob.approve(approvalId, "ok");

        JsonNode vote = approval().get("votes").get(0);

        assertThat(vote.get("person_id").asText()).isEqualTo("bob");
        assertThat(vote.get("comment").asText()).isEqualTo("ok");
        JsonNode evidence = vote.get("evidence");
        assertThat(evidence.get("method").asText()).isEqualTo("passkey");
        assertThat(evidence.get("digest").asText()).isEqualTo(approval().get("digest").asText());
        assertThat(evidence.get("signature").asText()).isNotEmpty();
    }

    private JsonNode approval() {
        return broker.get("/v1/approvals/" + approvalId, broker.adminToken()).json();
    }

    private String taskStatus() {
        return taskJson().get("status").asText();
    }

    private JsonNode taskJson() {
        Response task = broker.get("/v1/tasks/" + taskId, broker.adminToken());
        assertThat(task.status()).as(task.body()).isEqualTo(200);
        JsonNode body = task.json();
        return body.has("tasks") ? body.get("tasks").get(0) : body;
    }
}
