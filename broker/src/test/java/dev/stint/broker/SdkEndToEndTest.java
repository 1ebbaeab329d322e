package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.sdk.TaskToken;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent SDK against the real broker: promise 8's first half, end to end. */
class SdkEndToEndTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    StintClient client;

    @BeforeEach
    void start() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        ECKey key = AgentKeys.generate();
        BrokerHarness.Response registered = broker.postJson("/v1/agents", "{\"agent_id\":\"demo-agent\","
                + "\"owner\":\"alice@example.com\",\"purpose\":\"sdk\",\"tiers\":[\"dev\",\"staging\"],\"jwks\":"
                + AgentKeys.publicJwkSetJson(key) + "}", broker.adminToken());
        assertThat(registered.status()).isEqualTo(201);
        client = StintClient.create(StintClientOptions.of(URI.create(broker.issuer()), new AgentId("demo-agent"), key,
                clock));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private TaskSession open(String tier, Duration ttl) throws Exception {
        return client.openTask(TaskRequest.of(new Tier(tier), "sdk work", List.of(Scope.parse("db:orders:read")))
                .withTtl(ttl));
    }

    @Test
    void sessionServesACachedTokenWithinItsHalfLife() throws Exception {
        TaskSession session = open("dev", Duration.ofMinutes(30));

        TaskToken first = session.token();
        clock.advance(Duration.ofSeconds(60));
        TaskToken second = session.token();

        assertThat(second.value()).isEqualTo(first.value());
        assertThat(broker.introspect(first.value()).json().get("active").asBoolean()).isTrue();
    }

    @Test
    void sessionRemintsAfterHalfLifeAndNeverPastTheDeadline() throws Exception {
        TaskSession session = open("dev", Duration.ofMinutes(7));
        TaskToken first = session.token();

        clock.advance(Duration.ofSeconds(151));
        TaskToken second = session.token();
        clock.advance(Duration.ofSeconds(200));
        TaskToken third = session.token();

        assertThat(second.value()).isNotEqualTo(first.value());
        assertThat(third.expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(7)));
        assertThat(third.expiresAt()).isBeforeOrEqualTo(session.deadline().at());
    }

    @Test
    void closedSessionNeverReturnsItsCachedToken() throws Exception {
        TaskSession session = open("dev", Duration.ofMinutes(30));
        TaskToken token = session.token();

        session.close();

        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.introspect(token.value()).json().get("active").asBoolean()).isFalse();
        assertThat(broker.get("/v1/tasks/" + session.taskId(), broker.adminToken()).text("status")).isEqualTo("ended");
    }

    @Test
    void taskEndedElsewhereKillsTheSessionAtItsNextRefresh() throws Exception {
        TaskSession session = open("dev", Duration.ofMinutes(30));
        session.token();
        broker.postRaw("/v1/tasks/" + session.taskId() + "/end", null, new byte[0], broker.adminToken());

        clock.advance(Duration.ofMinutes(3));

        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
    }

    @Test
    void sessionPastItsDeadlineRefusesWithoutAskingTheBroker() throws Exception {
        TaskSession session = open("dev", Duration.ofMinutes(2));
        clock.advance(Duration.ofMinutes(2));
        broker.close();

        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
    }

    @Test
    void sessionsForDifferentTasksAndTiersNeverShareATokens() throws Exception {
        TaskSession dev = open("dev", Duration.ofMinutes(30));
        TaskSession staging = open("staging", Duration.ofMinutes(30));

        TaskToken devToken = dev.token();
        TaskToken stagingToken = staging.token();

        assertThat(devToken.value()).isNotEqualTo(stagingToken.value());
        assertThat(devToken.tier()).isEqualTo(new Tier("dev"));
        assertThat(stagingToken.tier()).isEqualTo(new Tier("staging"));
        assertThat(broker.introspect(stagingToken.value()).json().get("tier").asText()).isEqualTo("staging");
    }

    @Test
    void policyDenialReachesTheAgentWithItsReason() {
        assertThatThrownBy(() -> client.openTask(TaskRequest.of(new Tier("dev"), "drop it",
                List.of(Scope.parse("db:orders:ddl")))))
                .isInstanceOf(BrokerRejectedException.class)
                .hasMessageContaining("scope db:orders:ddl is not granted to agent demo-agent in tier dev");
    }
}
