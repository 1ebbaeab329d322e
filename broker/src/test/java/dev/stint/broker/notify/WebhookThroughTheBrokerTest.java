package dev.stint.broker.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.deployment.NotifySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with a webhook in its deployment file: a guarded task's request is posted by the
 * broker's own sweep, and a webhook that fails shows in {@code /health} without making the broker
 * unhealthy or deciding anything.
 */
class WebhookThroughTheBrokerTest {

    /** A Tuesday, outside the sample policy's freezes. */
    static final Instant TUESDAY = Instant.parse("2026-11-24T10:00:00Z");
    /** How long the broker's once-a-second sweep may take to get to it on a busy machine. */
    static final Duration SLACK = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;
    MutableClock clock = new MutableClock(TUESDAY);
    WireMockServer receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() {
        receiver.start();
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(500)));
        NotifySettings notify = new NotifySettings(List.of(new NotifySettings.Webhook(
                "http://127.0.0.1:" + receiver.port() + "/hook", NotifySettings.Format.JSON, Optional.empty())));
        broker = BrokerHarness.start(dataDir, clock,
                options -> options.withDeployment(options.deployment().withNotifications(notify)));
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "prod"));
    }

    @AfterEach
    void stop() {
        broker.close();
        receiver.stop();
    }

    List<LoggedRequest> posts() {
        return receiver.findAll(postRequestedFor(urlEqualTo("/hook")));
    }

    JsonNode webhookHealth() {
        return broker.get("/health", null).json().get("webhooks").get(0);
    }

    @Test
    void aFailingWebhookShowsInHealthApprovesNothingAndDeliversOnceItRecovers() throws Exception {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null);
        String approvalId = opened.text("approval_id");

        assertThat(eventually(() -> "failing".equals(webhookHealth().get("status").asText()))).isTrue();
        Response health = broker.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.text("status")).isEqualTo("ok");
        assertThat(webhookHealth().get("last_error").asText()).isEqualTo("HTTP 500");
        assertThat(webhookHealth().get("host").asText()).isEqualTo("127.0.0.1:" + receiver.port());
        assertThat(health.body()).doesNotContain("/hook");
        assertThat(broker.mint(agentToken, opened.text("task_id")).status()).isEqualTo(409);

        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        clock.advance(Duration.ofSeconds(3));

        assertThat(eventually(() -> "ok".equals(webhookHealth().get("status").asText()))).isTrue();
        LoggedRequest delivered = posts().get(posts().size() - 1);
        JsonNode body = new ObjectMapper().readTree(delivered.getBodyAsString());
        assertThat(body.get("event").asText()).isEqualTo("approval.requested");
        assertThat(body.get("approval_id").asText()).isEqualTo(approvalId);
        assertThat(body.get("agent_id").asText()).isEqualTo("demo-agent");
        assertThat(body.get("owner").asText()).isEqualTo("alice@example.com");
        assertThat(body.get("purpose").asText()).isEqualTo("test work");
        String port = broker.issuer().substring(broker.issuer().lastIndexOf(':'));
        assertThat(body.get("link").asText()).isEqualTo("http://localhost" + port + "/ui/approvals/" + approvalId);
        assertThat(webhookHealth().get("pending").asInt()).isZero();
        assertThat(webhookHealth().has("last_success_at")).isTrue();
        assertThat(broker.get("/v1/tasks/" + opened.text("task_id"), agentToken).text("status"))
                .isEqualTo("pending_approval");
    }

    /** Waits (in real time) for the broker's own sweep, which runs every second. */
    private static boolean eventually(BooleanSupplier check) throws InterruptedException {
        long until = System.nanoTime() + SLACK.toNanos();
        while (System.nanoTime() < until) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
