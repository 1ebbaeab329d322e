package dev.stint.broker.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.stint.broker.notify.NoticeFixtures.GUARDED;
import static dev.stint.broker.notify.NoticeFixtures.PURPOSE;
import static dev.stint.broker.notify.NoticeFixtures.approval;
import static dev.stint.broker.notify.NoticeFixtures.await;
import static dev.stint.broker.notify.NoticeFixtures.current;
import static dev.stint.broker.notify.NoticeFixtures.deliveries;
import static dev.stint.broker.notify.NoticeFixtures.insert;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.stint.broker.MutableClock;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.http.LogCapture;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.Store;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notices posted by the sweep: what they say, when they are retried, and what a failing webhook changes. */
class WebhookSweepTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final String ORIGIN = "https://stint.example.com";
    static final String SECRET = "whsec-test-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough for a cold JVM's first request on a busy machine. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    Path dir;
    Vertx vertx = Vertx.vertx();
    MutableClock clock = new MutableClock(T0);
    WireMockServer receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    Store store;
    WebhookSweep sweep;

    @BeforeEach
    void open() throws Exception {
        receiver.start();
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        store = EmbeddedStore.open(vertx, dir);
    }

    @AfterEach
    void close() {
        if (sweep != null) {
            sweep.close();
        }
        store.close();
        receiver.stop();
        await(vertx.close());
    }

    String url() {
        return "http://127.0.0.1:" + receiver.port() + "/hook";
    }

    NotifySettings.Webhook webhook(NotifySettings.Format format, Optional<String> secret) {
        return new NotifySettings.Webhook(url(), format, secret);
    }

    /** A sweep whose waits are their ceilings (no jitter drawn below), so tests can step over them. */
    WebhookSweep sweep(NotifySettings.Webhook... webhooks) {
        sweep = new WebhookSweep(vertx, store, new NotifySettings(List.of(webhooks)), ORIGIN,
                new WebhookBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(1), () -> 1.0),
                TIMEOUT, clock);
        return sweep;
    }

    List<LoggedRequest> posts() {
        return receiver.findAll(postRequestedFor(urlEqualTo("/hook")));
    }

    JsonNode body(LoggedRequest request) throws Exception {
        return JSON.readTree(request.getBodyAsString());
    }

    @Test
    void aRequestIsPostedWithEveryField() throws Exception {
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        assertThat(await(sweep.sweep())).isEqualTo(1);

        LoggedRequest request = posts().get(0);
        JsonNode body = body(request);
        assertThat(body.get("event").asText()).isEqualTo("approval.requested");
        assertThat(body.get("summary").asText())
                .isEqualTo("Approval requested: cleanup-bot (owner alice@example.com) asks for db:orders:delete,"
                        + " db:orders:read in prod");
        assertThat(body.get("approval_id").asText()).isEqualTo("apr_1");
        assertThat(body.get("status").asText()).isEqualTo("pending");
        assertThat(body.get("agent_id").asText()).isEqualTo("cleanup-bot");
        assertThat(body.get("owner").asText()).isEqualTo("alice@example.com");
        assertThat(body.get("tier").asText()).isEqualTo("prod");
        assertThat(body.get("scopes").toString()).isEqualTo("[\"db:orders:delete\",\"db:orders:read\"]");
        assertThat(body.get("guarded").asText()).isEqualTo(GUARDED);
        assertThat(body.get("purpose").asText()).isEqualTo(PURPOSE);
        assertThat(body.get("deadline").asText()).isEqualTo("2026-11-24T11:00:00Z");
        assertThat(body.get("window_ends_at").asText()).isEqualTo("2026-11-24T10:30:00Z");
        assertThat(body.get("decided_by").isEmpty()).isTrue();
        assertThat(body.get("link").asText()).isEqualTo(ORIGIN + "/ui/approvals/apr_1");
        assertThat(body.get("break_glass").asBoolean()).isFalse();
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(request.getHeader("X-Stint-Event")).isEqualTo("approval.requested");
        assertThat(request.getHeader("X-Stint-Delivery")).isEqualTo(deliveries(store, "apr_1").get(0).deliveryId());
        assertThat(request.containsHeader("X-Stint-Signature")).isFalse();
    }

    @Test
    void aDeliveredNoticeIsNotPostedAgain() {
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));
        await(sweep.sweep());

        clock.advance(Duration.ofMinutes(1));
        assertThat(await(sweep.sweep())).isZero();

        assertThat(posts()).hasSize(1);
        assertThat(deliveries(store, "apr_1").get(0).deliveredAt()).isEqualTo(T0);
    }

    @Test
    void aDecisionIsPostedAgainWithTheVotes() throws Exception {
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));
        await(sweep.sweep());
        Instant decided = T0.plusSeconds(60);
        NoticeFixtures.vote(store, "apr_1", "per_bob", "bob@example.com", "approve", decided.minusSeconds(5));
        NoticeFixtures.vote(store, "apr_1", "per_carol", "carol@example.com", "approve", decided);
        NoticeFixtures.decide(store, "apr_1", ApprovalStatus.APPROVED, decided);
        clock.set(decided);

        assertThat(await(sweep.sweep())).isEqualTo(1);

        assertThat(posts()).hasSize(2);
        JsonNode body = body(posts().stream().filter(p -> p.getHeader("X-Stint-Event").equals("approval.approved"))
                .findFirst().orElseThrow());
        assertThat(body.get("event").asText()).isEqualTo("approval.approved");
        assertThat(body.get("status").asText()).isEqualTo("approved");
        assertThat(body.get("summary").asText()).startsWith("Approval granted: cleanup-bot");
        assertThat(body.get("decided_at").asText()).isEqualTo(decided.toString());
        assertThat(body.get("decided_by").toString()).isEqualTo("[{\"person_id\":\"per_bob\",\"email\":"
                + "\"bob@example.com\",\"verdict\":\"approve\",\"at\":\"2026-11-24T10:00:55Z\"},{\"person_id\":"
                + "\"per_carol\",\"email\":\"carol@example.com\",\"verdict\":\"approve\",\"at\":\"2026-11-24T10:01:00Z\"}]");
        assertThat(deliveries(store, "apr_1")).extracting(Delivery::status)
                .containsExactly(ApprovalStatus.PENDING, ApprovalStatus.APPROVED);
    }

    @Test
    void deliveredNoticesAreDroppedAfterAWeekAndNeverPostedAgain() {
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));
        assertThat(await(sweep.sweep())).isEqualTo(1);

        clock.advance(WebhookSweep.KEEP_DELIVERED.plusMinutes(1));
        await(sweep.sweep());

        assertThat(deliveries(store, "apr_1")).isEmpty();
        assertThat(posts()).hasSize(1);
    }

    @Test
    void eachWebhookGetsItsOwnNoticeInItsFormat() throws Exception {
        receiver.stubFor(post(urlEqualTo("/slack")).willReturn(aResponse().withStatus(200).withBody("ok")));
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()), new NotifySettings.Webhook(
                "http://127.0.0.1:" + receiver.port() + "/slack", NotifySettings.Format.SLACK, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        assertThat(await(sweep.sweep())).as("%s", deliveries(store, "apr_1")).isEqualTo(2);

        assertThat(posts()).hasSize(1);
        JsonNode slack = body(receiver.findAll(postRequestedFor(urlEqualTo("/slack"))).get(0));
        assertThat(slack.get("text").asText()).startsWith("Approval requested: cleanup-bot");
    }

    @Test
    void historyOlderThanAnHourIsNotNotified() {
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_old", T0.minus(WebhookSweep.RECENT).minusSeconds(1), PURPOSE, GUARDED));
        insert(store, approval("apr_recent", T0.minus(WebhookSweep.RECENT), PURPOSE, GUARDED));

        assertThat(await(sweep.sweep())).isEqualTo(1);

        assertThat(deliveries(store, "apr_old")).isEmpty();
        assertThat(deliveries(store, "apr_recent")).hasSize(1);
    }

    @Test
    void aFailingWebhookIsRetriedWithGrowingWaits() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(500)));
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        await(sweep.sweep());
        // Waits of 2 s, 4 s, 8 s: one second short of each, nothing is posted; at it, one post.
        for (int wait : new int[] {2, 4, 8}) {
            clock.advance(Duration.ofSeconds(wait - 1));
            await(sweep.sweep());
            int before = posts().size();
            clock.advance(Duration.ofSeconds(1));
            await(sweep.sweep());
            assertThat(posts()).as("after a wait of %d s", wait).hasSize(before + 1);
        }

        Delivery delivery = deliveries(store, "apr_1").get(0);
        assertThat(delivery.attempts()).isEqualTo(4);
        assertThat(delivery.lastError()).isEqualTo("HTTP 500");
        assertThat(delivery.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(16));
        assertThat(delivery.deliveredAt()).isNull();
    }

    @Test
    void theWaitNeverGrowsPastTenMinutes() {
        WebhookBackoff backoff = new WebhookBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10),
                Duration.ofSeconds(1), () -> 0.999);
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(9)).isEqualTo(Duration.ofSeconds(512));
        assertThat(backoff.ceiling(10)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.ceiling(1_000)).isEqualTo(Duration.ofMinutes(10));
        assertThat(new WebhookBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(1),
                () -> 0.0).after(5)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aWebhookDeliversOnceItRecovers() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(503)));
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));
        await(sweep.sweep());

        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        clock.advance(Duration.ofSeconds(2));

        assertThat(await(sweep.sweep())).isEqualTo(1);
        Delivery delivery = deliveries(store, "apr_1").get(0);
        assertThat(delivery.deliveredAt()).isEqualTo(clock.instant());
        assertThat(delivery.attempts()).isEqualTo(2);
        assertThat(delivery.lastError()).isNull();
    }

    @Test
    void aFailingWebhookApprovesNothing() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)
                .withBody("{\"approved\":true}")));
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        sweep(webhook(NotifySettings.Format.JSON, Optional.empty()));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        for (int i = 0; i < 6; i++) {
            await(sweep.sweep());
            clock.advance(Duration.ofMinutes(10));
        }

        assertThat(current(store, "apr_1").status()).isEqualTo(ApprovalStatus.PENDING);
        assertThat(current(store, "apr_1").decidedAt()).isNull();
    }

    @Test
    void failuresAreLoggedWithoutTheUrlPathOrTheSecretAndLoudlyOnceStuck() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(500)
                .withBody("internal details " + SECRET)));
        sweep(webhook(NotifySettings.Format.JSON, Optional.of(SECRET)));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < WebhookSweep.LOUD_AFTER; i++) {
                await(sweep.sweep());
                clock.advance(Duration.ofMinutes(10));
            }

            assertThat(logs.warnings()).hasSize(1);
            assertThat(logs.warnings().get(0).getFormattedMessage()).contains("127.0.0.1:" + receiver.port())
                    .contains("still not delivered after 5 attempts").contains("HTTP 500");
            assertThat(logs.all()).noneMatch(line -> line.contains(SECRET) || line.contains("/hook")
                    || line.contains(PURPOSE));
        }
    }

    @Test
    void healthShowsAFailingWebhookThenOkAfterRecovery() {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(502)));
        NotifySettings.Webhook webhook = webhook(NotifySettings.Format.SLACK, Optional.empty());
        sweep(webhook);
        WebhookHealth health = new WebhookHealth(store, new NotifySettings(List.of(webhook)));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));
        await(sweep.sweep());

        Map<String, Object> failing = await(health.report()).get(0);
        assertThat(failing).containsEntry("id", webhook.id()).containsEntry("host", "127.0.0.1:" + receiver.port())
                .containsEntry("format", "slack").containsEntry("status", "failing").containsEntry("pending", 1L)
                .containsEntry("failing", 1L).containsEntry("last_error", "HTTP 502")
                .doesNotContainKey("last_success_at");

        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        clock.advance(Duration.ofSeconds(2));
        await(sweep.sweep());

        Map<String, Object> ok = await(health.report()).get(0);
        assertThat(ok).containsEntry("status", "ok").containsEntry("pending", 0L).containsEntry("failing", 0L)
                .containsEntry("last_success_at", clock.instant().toString()).doesNotContainKey("last_error");
        assertThat(ok.toString()).doesNotContain("/hook");
    }

    @Test
    void aSignedPostVerifiesWithTheSecretAndNotOnceTampered() throws Exception {
        sweep(webhook(NotifySettings.Format.JSON, Optional.of(SECRET)));
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));
        await(sweep.sweep());

        LoggedRequest request = posts().get(0);
        String timestamp = request.getHeader("X-Stint-Timestamp");
        byte[] body = request.getBody();
        assertThat(timestamp).isEqualTo(Long.toString(T0.getEpochSecond()));
        assertThat(request.getHeader("X-Stint-Signature"))
                .isEqualTo(Signature.of(SECRET, T0.getEpochSecond(), body))
                .isEqualTo(ReceiverSide.hmac(SECRET, timestamp + "." + new String(body, StandardCharsets.UTF_8)));
        String tampered = new String(body, StandardCharsets.UTF_8).replace(PURPOSE, "something else");
        assertThat(ReceiverSide.hmac(SECRET, timestamp + "." + tampered))
                .isNotEqualTo(request.getHeader("X-Stint-Signature"));
        assertThat(ReceiverSide.hmac("another secret", timestamp + "." + new String(body, StandardCharsets.UTF_8)))
                .isNotEqualTo(request.getHeader("X-Stint-Signature"));
    }

    /** What a receiver computes, as the README tells it: independent of {@link Signature}. */
    static final class ReceiverSide {
        static String hmac(String secret, String signed) throws Exception {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
