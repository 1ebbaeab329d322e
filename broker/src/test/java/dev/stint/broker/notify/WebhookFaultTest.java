package dev.stint.broker.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
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

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.stint.broker.MutableClock;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.deployment.NotifySettings;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.Store;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A webhook that is down, slow or broken: each fault is recorded with our own reason, the notice
 * is due again after a wait, and the approval stays pending.
 */
class WebhookFaultTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(1);

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

    static Stream<Arguments> faults() {
        return Stream.of(
                row("server error", aResponse().withStatus(500), "HTTP 500"),
                row("unavailable", aResponse().withStatus(503).withBody("down for maintenance"), "HTTP 503"),
                row("refused as a client error", aResponse().withStatus(400), "HTTP 400"),
                row("a redirect, not followed", aResponse().withStatus(302).withHeader("Location", "https://x.example"),
                        "HTTP 302 (redirects are not followed)"),
                row("slower than the timeout", aResponse().withStatus(200).withFixedDelay(5_000),
                        "no answer within 1 s"),
                row("garbage instead of HTTP", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE),
                        "the connection closed before an answer"),
                row("the connection closed at once", aResponse().withFault(Fault.EMPTY_RESPONSE),
                        "the connection closed before an answer"),
                row("nothing listening", null, "could not connect"));
    }

    private static Arguments row(String name, ResponseDefinitionBuilder answer, String reason) {
        return Arguments.of(name, answer, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aFaultIsRecordedAndTriedAgainAndApprovesNothing(String name, ResponseDefinitionBuilder answer,
            String reason) throws IOException {
        String url = "http://127.0.0.1:" + (answer == null ? closedPort() : receiver.port()) + "/hook";
        if (answer != null) {
            receiver.stubFor(post(urlEqualTo("/hook")).willReturn(answer));
        }
        sweep = new WebhookSweep(vertx, store, new NotifySettings(List.of(new NotifySettings.Webhook(url,
                NotifySettings.Format.JSON, Optional.empty()))), "https://stint.example.com",
                new WebhookBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(1), () -> 1.0),
                TIMEOUT, clock);
        insert(store, approval("apr_1", T0, PURPOSE, GUARDED));

        assertThat(await(sweep.sweep())).isZero();

        Delivery delivery = deliveries(store, "apr_1").get(0);
        assertThat(delivery.lastError()).isEqualTo(reason);
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(delivery.deliveredAt()).isNull();
        assertThat(current(store, "apr_1").status()).isEqualTo(ApprovalStatus.PENDING);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
