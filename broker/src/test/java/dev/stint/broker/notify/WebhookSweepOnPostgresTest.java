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
import static dev.stint.broker.notify.NoticeFixtures.insert;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.stint.broker.MutableClock;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.broker.store.Store;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The same outbox on a shared PostgreSQL store: its SQL runs there too. */
class WebhookSweepOnPostgresTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    Vertx vertx = Vertx.vertx();
    MutableClock clock = new MutableClock(T0);
    WireMockServer receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    Store store;
    WebhookSweep sweep;

    @AfterEach
    void close() {
        sweep.close();
        store.close();
        receiver.stop();
        await(vertx.close());
    }

    @Test
    void aRequestAndItsDecisionAreEachPostedOnceAndHealthFollows() throws Exception {
        receiver.start();
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(500)));
        store = PostgresStore.open(vertx, PostgresTestDatabase.create(), PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, 4);
        NotifySettings settings = new NotifySettings(List.of(new NotifySettings.Webhook(
                "http://127.0.0.1:" + receiver.port() + "/hook", NotifySettings.Format.JSON, Optional.empty())));
        sweep = new WebhookSweep(vertx, store, settings, "https://stint.example.com",
                new WebhookBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(1), () -> 1.0),
                Duration.ofSeconds(3), clock);
        WebhookHealth health = new WebhookHealth(store, settings);
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        assertThat(await(sweep.sweep())).isZero();
        assertThat(await(health.report()).get(0)).containsEntry("status", "failing").containsEntry("pending", 1L);

        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        NoticeFixtures.decide(store, "apr_1", ApprovalStatus.DENIED, T0.plusSeconds(1));
        clock.advance(Duration.ofSeconds(2));

        assertThat(await(sweep.sweep())).isEqualTo(2);
        assertThat(await(sweep.sweep())).isZero();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/hook")))).hasSize(3);
        assertThat(await(health.report()).get(0)).containsEntry("status", "ok").containsEntry("pending", 0L)
                .containsEntry("last_success_at", clock.instant().toString());
    }
}
