package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.token.DefaultTaskTokenVerifier;
import dev.stint.token.TaskClaims;
import dev.stint.token.Tier;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks, keys, credentials and the audit chain survive a restart on the same data directory. */
class RestartTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void taskOpenedBeforeRestartKeepsItsDeadlineAndStatus() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String taskId = broker.openTask(broker.agentToken(agent), "dev", "[\"db:orders:read\"]", 900L).text("task_id");

        broker.restart();

        Response task = broker.get("/v1/tasks/" + taskId, broker.agentToken(agent));
        assertThat(task.status()).isEqualTo(200);
        assertThat(task.text("status")).isEqualTo("active");
        assertThat(task.text("deadline")).isEqualTo(START.plusSeconds(900).toString());
    }

    @Test
    void taskWhoseDeadlinePassedWhileTheBrokerWasDownIsExpiredBeforeItServes() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String taskId = broker.openTask(broker.agentToken(agent), "dev", "[\"db:orders:read\"]", 900L).text("task_id");

        broker.restartAfter(() -> clock.advance(java.time.Duration.ofMinutes(20)));

        // Asked at once: the periodic sweep has not run yet, the start-up sweep has.
        Response audit = broker.get("/v1/audit?task_id=" + taskId, broker.adminToken());
        assertThat(audit.status()).isEqualTo(200);
        assertThat(audit.body()).contains("\"action\":\"task.expire\"");
    }

    @Test
    void signingKeyAndAdminCredentialSurviveRestart() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        String admin = broker.adminToken();
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String agentToken = broker.agentToken(agent);
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 900L).text("task_id");
        String token = broker.mint(agentToken, taskId).text("access_token");
        String kidBefore = SignedJWT.parse(token).getHeader().getKeyID();

        broker.restart();

        JWKSet jwks = JWKSet.parse(broker.get("/.well-known/jwks.json", null).body());
        TaskClaims claims = DefaultTaskTokenVerifier.pinned(broker.issuer(), "urn:stint:tier:dev", new Tier("dev"),
                kid -> jwks.getKeys().stream().filter(k -> kid.equals(k.getKeyID())).toList(), clock).verify(token);
        assertThat(claims.taskId().value()).isEqualTo(taskId);
        assertThat(jwks.getKeyByKeyId(kidBefore)).isNotNull();
        assertThat(broker.adminToken()).isEqualTo(admin);
        assertThat(broker.get("/v1/agents/demo-agent", admin).status()).isEqualTo(200);
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isTrue();
    }

    @Test
    void activeNextAndRetiredSigningKeysSurviveRestart() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String taskId = broker.openTask(broker.agentToken(agent), "dev", "[\"db:orders:read\"]", 900L).text("task_id");
        clock.advance(BrokerKeys.JWKS_MAX_AGE);
        Response rotated = broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());

        broker.restart();

        JWKSet jwks = JWKSet.parse(broker.get("/.well-known/jwks.json", null).body());
        assertThat(jwks.getKeys().stream().map(JWK::getKeyID).toList()).containsExactlyInAnyOrder(
                rotated.text("active_kid"), rotated.text("next_kid"), rotated.text("retired_kid"));
        String token = broker.mint(broker.agentToken(agent), taskId).text("access_token");
        assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo(rotated.text("active_kid"));
        clock.advance(BrokerKeys.JWKS_MAX_AGE);
        Response again = broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());
        assertThat(again.text("active_kid")).isEqualTo(rotated.text("next_kid"));
        assertThat(again.text("retired_kid")).isEqualTo(rotated.text("active_kid"));
    }

    @Test
    void endedTaskStaysEndedAndItsTokensStayRevokedAfterRestart() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String agentToken = broker.agentToken(agent);
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 900L).text("task_id");
        String token = broker.mint(agentToken, taskId).text("access_token");
        broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);

        broker.restart();

        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
        assertThat(broker.mint(broker.agentToken(agent), taskId).status()).isEqualTo(409);
    }

    @Test
    void auditChainContinuesUnbrokenAcrossRestart() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        broker.openTask(broker.agentToken(agent), "dev", "[\"db:orders:read\"]", 900L);
        long before = broker.get("/v1/audit/verify", broker.adminToken()).json().get("records_checked").asLong();

        broker.restart();
        broker.openTask(broker.agentToken(agent), "dev", "[\"db:orders:read\"]", 900L);

        Response verify = broker.get("/v1/audit/verify", broker.adminToken());
        assertThat(verify.json().get("valid").asBoolean()).isTrue();
        assertThat(verify.json().get("records_checked").asLong()).isGreaterThan(before);
    }

    @Test
    void usedAssertionCannotBeReplayedAfterRestart() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String assertion = agent.assertion(broker.issuer(), clock.instant());
        assertThat(broker.requestAgentToken(assertion).status()).isEqualTo(200);

        broker.restart();

        Response replay = broker.requestAgentToken(assertion);
        assertThat(replay.status()).isEqualTo(401);
    }
}
