package dev.stint.broker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
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

/** Promise 2 (hard deadline) and the task lifecycle, through the real HTTP API. */
class TaskLifecycleTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev", "staging", "prod");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void openedTaskIsActiveWithDeadlineFromRequestedTtl() {
        Response opened = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L);

        assertThat(opened.status()).isEqualTo(201);
        assertThat(opened.text("status")).isEqualTo("active");
        assertThat(opened.text("tier")).isEqualTo("dev");
        assertThat(opened.text("deadline")).isEqualTo(START.plusSeconds(600).toString());
        assertThat(opened.text("task_id")).startsWith("tsk_");
    }

    @Test
    void requestedTtlIsCappedAtTierMaximum() {
        Response opened = broker.openTask(agentToken, "staging", "[\"db:orders:read\"]", 86_400L);

        assertThat(opened.status()).isEqualTo(201);
        assertThat(opened.text("deadline")).isEqualTo(START.plus(Duration.ofHours(2)).toString());
        assertThat(opened.json().get("ttl_capped").asBoolean()).isTrue();
    }

    @Test
    void ttlWithinTheTierMaximumIsNotCapped() {
        Response asked = broker.openTask(agentToken, "staging", "[\"db:orders:read\"]", 7_200L);
        Response defaulted = broker.openTask(agentToken, "staging", "[\"db:orders:read\"]", null);

        assertThat(asked.json().get("ttl_capped").asBoolean()).isFalse();
        assertThat(defaulted.json().get("ttl_capped").asBoolean()).isFalse();
    }

    @Test
    void audienceNamingAnotherTierInAnyCaseIsRefused() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");

        for (String audience : new String[] {"URN:STINT:TIER:prod", "urn:Stint:Tier:staging", "Urn:stint:tier:PROD"}) {
            Response refused = broker.postJson("/v1/tasks/" + taskId + "/token",
                    "{\"audience\":\"" + audience + "\"}", agentToken);

            assertThat(refused.status()).as(audience).isEqualTo(403);
            assertThat(refused.text("detail")).as(audience).contains("belongs to another tier");
        }
    }

    @Test
    void ownTiersAudienceInAnotherCaseIsMintedInItsCanonicalForm() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");

        Response minted = broker.postJson("/v1/tasks/" + taskId + "/token", "{\"audience\":\"URN:STINT:TIER:dev\"}",
                agentToken);

        assertThat(minted.status()).isEqualTo(200);
        assertThat(minted.text("audience")).isEqualTo("urn:stint:tier:dev");
    }

    @Test
    void missingTtlTakesTierDefault() {
        Response opened = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", null);

        assertThat(opened.text("deadline")).isEqualTo(START.plus(Duration.ofHours(1)).toString());
    }

    @Test
    void mintedTokenCarriesTaskClaimsAndExpiresNoLaterThanDeadline() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 120L).text("task_id");

        Response minted = broker.mint(agentToken, taskId);

        assertThat(minted.status()).isEqualTo(200);
        SignedJWT jwt = SignedJWT.parse(minted.text("access_token"));
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("stint+jwt");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("task_id")).isEqualTo(taskId);
        assertThat(jwt.getJWTClaimsSet().getStringClaim("tier")).isEqualTo("dev");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("db:orders:read");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("owner")).isEqualTo("alice@example.com");
        assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(START.plusSeconds(120));
        assertThat(jwt.getJWTClaimsSet().getLongClaim("deadline")).isEqualTo(START.plusSeconds(120).getEpochSecond());
        assertThat(minted.text("expires_at")).isEqualTo(START.plusSeconds(120).toString());
    }

    @Test
    void tokenLifetimeIsShorterThanALongDeadline() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 3600L).text("task_id");

        SignedJWT jwt = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token"));

        assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(START.plus(Duration.ofMinutes(5)));
    }

    @Test
    void mintingAgainNeverMovesTheDeadline() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 400L).text("task_id");
        clock.advance(Duration.ofSeconds(250));

        SignedJWT later = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token"));

        assertThat(later.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(START.plusSeconds(400));
        assertThat(broker.get("/v1/tasks/" + taskId, agentToken).text("deadline"))
                .isEqualTo(START.plusSeconds(400).toString());
    }

    @Test
    void taskCannotMintOnceItsDeadlineHasPassed() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 60L).text("task_id");
        clock.advance(Duration.ofSeconds(60));

        Response refused = broker.mint(agentToken, taskId);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:task-not-active");
        assertThat(refused.text("detail")).isEqualTo("task " + taskId + " is not active: its deadline "
                + START.plusSeconds(60) + " has passed; open a new task");
        assertThat(broker.get("/v1/tasks/" + taskId, agentToken).text("status")).isEqualTo("expired");
    }

    @Test
    void taskMintsOneSecondBeforeItsDeadlineWindowCloses() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 60L).text("task_id");
        clock.advance(Duration.ofSeconds(58));

        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);
    }

    @Test
    void endedTaskCannotMintToken() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");

        Response ended = broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);
        Response refused = broker.mint(agentToken, taskId);

        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.text("status")).isEqualTo("ended");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:task-not-active");
    }

    @Test
    void endingTaskRevokesTokensItWasIssued() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        String token = broker.mint(agentToken, taskId).text("access_token");
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isTrue();

        broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);

        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
    }

    @Test
    void endedTasksTokensStayOnTheRevocationListUntilTheyExpire() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 3600L).text("task_id");
        String jti = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getJWTClaimsSet().getJWTID();
        broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);

        Response listed = broker.get("/v1/revocations", null);
        clock.advance(Duration.ofMinutes(5));
        Response afterExpiry = broker.get("/v1/revocations", null);

        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().get("revoked").findValuesAsText("jti")).containsExactly(jti);
        assertThat(listed.json().get("revoked").get(0).get("exp").asLong())
                .isEqualTo(START.plus(Duration.ofMinutes(5)).getEpochSecond());
        assertThat(afterExpiry.json().get("revoked").findValuesAsText("jti")).isEmpty();
    }

    @Test
    void devTaskCannotMintATokenForAnotherTiersAudience() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");

        Response refused = broker.postJson("/v1/tasks/" + taskId + "/token", "{\"audience\":\"urn:stint:tier:prod\"}",
                agentToken);
        Response ownService = broker.postJson("/v1/tasks/" + taskId + "/token",
                "{\"audience\":\"https://orders.dev.example\"}", agentToken);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).startsWith("audience urn:stint:tier:prod belongs to another tier");
        assertThat(ownService.status()).isEqualTo(200);
        assertThat(ownService.text("audience")).isEqualTo("https://orders.dev.example");
    }

    @Test
    void probingAnotherAgentsTaskIsAudited() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        String otherToken = broker.agentToken(broker.registerAgent("cleanup-bot", "dev"));

        broker.mint(otherToken, taskId);
        broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], otherToken);

        Response audit = broker.get("/v1/audit?agent_id=cleanup-bot", broker.adminToken());
        assertThat(audit.json().get("records").findValuesAsText("action")).contains("token.mint", "task.end");
        assertThat(audit.json().get("records").findValuesAsText("reason"))
                .contains("task " + taskId + " not found");
    }

    @Test
    void endingTwiceIsIdempotent() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        Response first = broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);

        Response second = broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);

        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
    }

    @Test
    void expirySweepMarksTaskExpiredAndRevokesItsTokens() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 120L).text("task_id");
        String token = broker.mint(agentToken, taskId).text("access_token");
        clock.advance(Duration.ofSeconds(121));

        Response audit = awaitAudit(taskId, "task.expire");

        assertThat(audit.body()).contains("token(s) revoked");
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
    }

    @Test
    void noEndpointRenewsOrExtendsATask() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");

        for (String path : new String[] {"/extend", "/renew", ""}) {
            Response response = broker.postJson("/v1/tasks/" + taskId + path, "{\"ttl_seconds\":99999}", agentToken);
            assertThat(response.status()).as(path).isIn(404, 405);
        }
        assertThat(broker.get("/v1/tasks/" + taskId, agentToken).text("deadline"))
                .isEqualTo(START.plusSeconds(600).toString());
    }

    @Test
    void twoAgentsMayChooseTheSameTaskIdWithoutLearningOfEachOther() {
        String otherToken = broker.agentToken(broker.registerAgent("cleanup-bot", "dev"));
        String body = "{\"task_id\":\"deploy-42\",\"tier\":\"dev\",\"purpose\":\"work\",\"scopes\":[\"db:orders:read\"]}";

        Response mine = broker.postJson("/v1/tasks", body, agentToken);
        Response theirs = broker.postJson("/v1/tasks", body, otherToken);
        Response mineAgain = broker.postJson("/v1/tasks", body, agentToken);

        assertThat(mine.status()).isEqualTo(201);
        assertThat(theirs.status()).isEqualTo(201);
        assertThat(theirs.text("agent_id")).isEqualTo("cleanup-bot");
        assertThat(mineAgain.status()).isEqualTo(409);
        assertThat(mineAgain.text("detail")).isEqualTo("you already have a task deploy-42; choose another task_id or omit it");
        broker.postRaw("/v1/tasks/deploy-42/end", null, new byte[0], otherToken);
        assertThat(broker.get("/v1/tasks/deploy-42", agentToken).text("status")).isEqualTo("active");
        assertThat(broker.mint(agentToken, "deploy-42").status()).isEqualTo(200);
    }

    @Test
    void adminNamesTheAgentWhenSeveralShareATaskId() {
        String otherToken = broker.agentToken(broker.registerAgent("cleanup-bot", "dev"));
        String body = "{\"task_id\":\"deploy-42\",\"tier\":\"dev\",\"purpose\":\"work\",\"scopes\":[\"db:orders:read\"]}";
        broker.postJson("/v1/tasks", body, agentToken);
        broker.postJson("/v1/tasks", body, otherToken);

        Response ambiguous = broker.get("/v1/tasks/deploy-42", broker.adminToken());
        Response named = broker.get("/v1/tasks/deploy-42?agent_id=cleanup-bot", broker.adminToken());

        assertThat(ambiguous.status()).isEqualTo(409);
        assertThat(ambiguous.text("detail")).isEqualTo("several agents have a task deploy-42; name the agent with ?agent_id=");
        assertThat(named.status()).isEqualTo(200);
        assertThat(named.text("agent_id")).isEqualTo("cleanup-bot");
    }

    @Test
    void anotherAgentsTaskIsNotFound() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        String otherToken = broker.agentToken(broker.registerAgent("cleanup-bot", "dev"));

        assertThat(broker.mint(otherToken, taskId).status()).isEqualTo(404);
        assertThat(broker.get("/v1/tasks/" + taskId, otherToken).status()).isEqualTo(404);
        assertThat(broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], otherToken).status())
                .isEqualTo(404);
        assertThat(broker.get("/v1/tasks/" + taskId, agentToken).text("status")).isEqualTo("active");
    }

    @Test
    void taskEndedBehindTheBrokersBackIsRefusedAtMintDespiteRecentReads() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);
        // As another broker node sharing the store would: this node's recent reads do not see it.
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("stint.db"));
                var update = db.prepareStatement("UPDATE tasks SET status = 'ended', ended_at = 0,"
                        + " end_reason = 'ended elsewhere' WHERE task_id = ?")) {
            update.setString(1, taskId);
            update.executeUpdate();
        }

        Response refused = broker.mint(agentToken, taskId);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("detail")).contains("ended elsewhere");
    }

    @Test
    void suspendedAgentCannotMintWithATokenItJustUsed() {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);

        broker.postRaw("/v1/agents/demo-agent/suspend", null, new byte[0], broker.adminToken());

        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(401);
        assertThat(broker.get("/v1/tasks/" + taskId, broker.adminToken()).text("status")).isEqualTo("ended");
    }

    @Test
    void agentSuspendedBehindTheBrokersBackCannotMint() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("stint.db"));
                var update = db.createStatement()) {
            update.executeUpdate("UPDATE agents SET status = 'suspended' WHERE agent_id = 'demo-agent'");
        }

        Response refused = broker.mint(agentToken, taskId);

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("detail")).isEqualTo("agent demo-agent is suspended");
    }

    /** The sweep runs on the broker's own timer; the test waits for its record, not for time. */
    private Response awaitAudit(String taskId, String action) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Response audit;
        do {
            audit = broker.get("/v1/audit?task_id=" + taskId, broker.adminToken());
            if (audit.body().contains("\"" + action + "\"")) {
                return audit;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < until);
        throw new AssertionError("no " + action + " record for " + taskId + ": " + audit.body());
    }
}
