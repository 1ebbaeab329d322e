package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.PROD;
import static dev.stint.sdk.BrokerStub.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.TaskId;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When a session serves a cached task token, when it asks the broker, and when it refuses. */
class TaskSessionCacheTest {

    private static final String TASK = "tsk_a";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));

    private BrokerStub broker;
    private TaskSession session;

    @BeforeEach
    void openTask() throws Exception {
        broker = new BrokerStub().standard();
        broker.task(TASK, DEV, DEADLINE);
        broker.mints(TASK, DEV, "tok-a-1", 300);
        session = broker.open(broker.client(), TASK, DEV);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void tokenWithinHalfLifeIsServedFromCache() throws Exception {
        TaskToken first = session.token();
        broker.clock.advance(Duration.ofSeconds(60));

        TaskToken second = session.token();

        assertThat(second).isEqualTo(first);
        assertThat(broker.mintCalls(TASK)).isEqualTo(1);
    }

    @Test
    void tokenOneSecondBeforeHalfLifeIsServedFromCache() throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(149));
        broker.mints(TASK, DEV, "tok-a-2", 300);

        TaskToken token = session.token();

        assertThat(token.value()).isEqualTo(broker.minted("tok-a-1"));
        assertThat(broker.mintCalls(TASK)).isEqualTo(1);
    }

    @Test
    void tokenOneSecondAfterHalfLifeIsRefreshed() throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        broker.mints(TASK, DEV, "tok-a-2", 300);

        TaskToken token = session.token();

        assertThat(token.value()).isEqualTo(broker.minted("tok-a-2"));
        assertThat(token.expiresAt()).isEqualTo(T0.plusSeconds(151 + 300));
        assertThat(broker.mintCalls(TASK)).isEqualTo(2);
    }

    @Test
    void shortLivedTokenIsServedFromCacheOneSecondBeforeSafetyMargin() throws Exception {
        // 40 s lifetime, 30 s margin: the margin (at +10 s) comes before the half-life (+20 s).
        broker.mints(TASK, DEV, "tok-short-1", 40);
        session.token("orders-db");
        broker.clock.advance(Duration.ofSeconds(9));
        broker.mints(TASK, DEV, "tok-short-2", 40);

        assertThat(session.token("orders-db").value()).isEqualTo(broker.minted("tok-short-1"));
    }

    @Test
    void shortLivedTokenIsRefreshedOneSecondAfterSafetyMargin() throws Exception {
        broker.mints(TASK, DEV, "tok-short-1", 40);
        session.token("orders-db");
        broker.clock.advance(Duration.ofSeconds(11));
        broker.mints(TASK, DEV, "tok-short-2", 40);

        assertThat(session.token("orders-db").value()).isEqualTo(broker.minted("tok-short-2"));
    }

    @Test
    void tokenOutlivingTaskDeadlineIsUnavailable() throws Exception {
        Instant deadline = T0.plusSeconds(100);
        broker.task("tsk_short", DEV, deadline);
        // A broker that (wrongly) mints a token outliving the task.
        broker.mints("tsk_short", DEV, "tok-short", 300, T0.plusSeconds(300));
        TaskSession shortTask = broker.open(broker.client(), "tsk_short", DEV);

        assertThatThrownBy(shortTask::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task token request for task tsk_short failed: the broker answered garbage: the token "
                        + "expires at 2026-11-24T23:05:00Z, after the task deadline 2026-11-24T23:01:40Z");
    }

    @Test
    void tokenOneSecondBeforeDeadlineIsStillIssued() throws Exception {
        Instant deadline = T0.plusSeconds(100);
        broker.task("tsk_short", DEV, deadline);
        broker.mints("tsk_short", DEV, "tok-short-1", 100, deadline);
        TaskSession shortTask = broker.open(broker.client(), "tsk_short", DEV);
        shortTask.token();
        broker.clock.set(deadline.minusSeconds(1));
        broker.mints("tsk_short", DEV, "tok-short-2", 1, deadline);

        TaskToken token = shortTask.token();

        assertThat(token.value()).isEqualTo(broker.minted("tok-short-2"));
        assertThat(token.expiresAt()).isEqualTo(deadline);
    }

    @Test
    void tokenAtDeadlineThrowsWithoutCallingBroker() throws Exception {
        Instant deadline = T0.plusSeconds(100);
        broker.task("tsk_short", DEV, deadline);
        broker.mints("tsk_short", DEV, "tok-short", 100, deadline);
        TaskSession shortTask = broker.open(broker.client(), "tsk_short", DEV);
        shortTask.token();
        broker.clock.set(deadline);

        assertThatThrownBy(shortTask::token)
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> assertThat(e.refusedByClient()).isTrue())
                .hasMessage("refused by the Stint client: task tsk_short reached its deadline 2026-11-24T23:01:40Z; "
                        + "open a new task");
        assertThat(broker.mintCalls("tsk_short")).isEqualTo(1);
    }

    @Test
    void tokenAfterDeadlineStaysRefusedWhenClockGoesBack() throws Exception {
        Instant deadline = T0.plusSeconds(100);
        broker.task("tsk_short", DEV, deadline);
        broker.mints("tsk_short", DEV, "tok-short", 100, deadline);
        TaskSession shortTask = broker.open(broker.client(), "tsk_short", DEV);
        shortTask.token();
        broker.clock.set(deadline.plusSeconds(1));
        assertThatThrownBy(shortTask::token).isInstanceOf(TaskNotActiveException.class);
        broker.clock.set(T0);

        assertThatThrownBy(shortTask::token).isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.mintCalls("tsk_short")).isEqualTo(1);
    }

    @Test
    void endedSessionThrowsInsteadOfReturningCachedToken() throws Exception {
        session.token();
        session.close();

        assertThatThrownBy(session::token)
                .isInstanceOf(TaskNotActiveException.class)
                .hasMessage("refused by the Stint client: task tsk_a was ended by this session; open a new task");
        assertThat(broker.mintCalls(TASK)).isEqualTo(1);
    }

    @Test
    void endedSessionRefusalSaysTheClientRefusedAndSendsNoRequest() throws Exception {
        session.token();
        session.end();
        int requestsBefore = broker.server.getAllServeEvents().size();

        // An audience never fetched before: only the session's own refusal keeps it from the broker.
        assertThatThrownBy(() -> session.token("orders-db"))
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> {
                    assertThat(e.refusedByClient()).isTrue();
                    assertThat(e.taskId()).isEqualTo(new TaskId(TASK));
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.problemType()).isEqualTo(TaskNotActiveException.TASK_NOT_ACTIVE);
                })
                .hasMessage("refused by the Stint client: task tsk_a was ended by this session; open a new task");
        assertThat(broker.server.getAllServeEvents()).hasSize(requestsBefore);
    }

    @Test
    void sessionWhoseEndFailedAtBrokerStillRefusesAsTheClient() throws Exception {
        broker.stub(post("/v1/tasks/" + TASK + "/end")
                .willReturn(BrokerStub.problem(503, "urn:stint:problem:store-unavailable", "task store is down")));
        assertThatThrownBy(session::end).isInstanceOf(BrokerUnavailableException.class);
        int requestsBefore = broker.server.getAllServeEvents().size();

        assertThatThrownBy(session::token)
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> assertThat(e.refusedByClient()).isTrue())
                .hasMessage("refused by the Stint client: task tsk_a was ended by this session; open a new task");
        assertThat(broker.server.getAllServeEvents()).hasSize(requestsBefore);
    }

    @Test
    void closeEndsTaskAtBroker() throws Exception {
        session.close();

        assertThat(broker.endCalls(TASK)).isEqualTo(1);
    }

    @Test
    void closeTwiceEndsTaskOnce() throws Exception {
        session.close();
        session.close();

        assertThat(broker.endCalls(TASK)).isEqualTo(1);
    }

    @Test
    void failedEndIsReportedToCaller() {
        broker.stub(post("/v1/tasks/" + TASK + "/end")
                .willReturn(BrokerStub.problem(503, "urn:stint:problem:store-unavailable", "task store is down")
                        .withHeader("Retry-After", "5")));

        assertThatThrownBy(session::close)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task end request for task tsk_a failed: the broker is unavailable (HTTP 503): "
                        + "task store is down");
    }

    @Test
    void closeAfterFailedEndTriesAgain() throws Exception {
        broker.stub(post("/v1/tasks/" + TASK + "/end")
                .willReturn(BrokerStub.problem(503, "urn:stint:problem:store-unavailable", "task store is down")));
        assertThatThrownBy(session::close).isInstanceOf(BrokerUnavailableException.class);
        broker.task(TASK, DEV, DEADLINE);

        session.close();

        assertThat(broker.endCalls(TASK)).isEqualTo(2);
    }

    @Test
    void sessionWhoseEndFailedServesNoToken() throws Exception {
        session.token();
        broker.stub(post("/v1/tasks/" + TASK + "/end")
                .willReturn(BrokerStub.problem(503, "urn:stint:problem:store-unavailable", "task store is down")));
        assertThatThrownBy(session::close).isInstanceOf(BrokerUnavailableException.class);

        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
    }

    @Test
    void brokerOutageDuringRefreshIsUnavailableNotTheOldToken() throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        broker.answerMint(TASK, BrokerStub.problem(503, "urn:stint:problem:audit-unavailable", "audit log is down")
                .withHeader("Retry-After", "7"));

        assertThatThrownBy(session::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .isNotInstanceOf(BrokerRejectedException.class)
                .hasMessage("task token request for task tsk_a failed: the broker is unavailable (HTTP 503): "
                        + "audit log is down")
                .satisfies(e -> assertThat(((BrokerUnavailableException) e).retryAfter())
                        .contains(Duration.ofSeconds(7)));
    }

    @Test
    void sessionRecoversWhenBrokerIsBackAfterOutage() throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        broker.answerMint(TASK, BrokerStub.problem(503, "urn:stint:problem:audit-unavailable", "audit log is down"));
        assertThatThrownBy(session::token).isInstanceOf(BrokerUnavailableException.class);
        broker.mints(TASK, DEV, "tok-a-2", 300);

        assertThat(session.token().value()).isEqualTo(broker.minted("tok-a-2"));
    }

    @Test
    void sessionsForDifferentTasksDoNotShareTokens() throws Exception {
        broker.task("tsk_b", DEV, DEADLINE);
        broker.mints("tsk_b", DEV, "tok-b-1", 300);
        TaskSession other = broker.open(broker.client(), "tsk_b", DEV);

        TaskToken a = session.token();
        TaskToken b = other.token();

        assertThat(a.value()).isEqualTo(broker.minted("tok-a-1"));
        assertThat(b.value()).isEqualTo(broker.minted("tok-b-1"));
        assertThat(b.taskId().value()).isEqualTo("tsk_b");
        assertThat(broker.mintCalls("tsk_b")).isEqualTo(1);
    }

    @Test
    void sessionsForDifferentTiersDoNotShareTokens() throws Exception {
        broker.task("tsk_p", PROD, DEADLINE);
        broker.mints("tsk_p", PROD, "tok-p-1", 300);
        TaskSession prod = broker.open(broker.client(), "tsk_p", PROD);

        TaskToken dev = session.token();
        TaskToken prodToken = prod.token();

        assertThat(dev.tier()).isEqualTo(DEV);
        assertThat(prodToken.tier()).isEqualTo(PROD);
        assertThat(prodToken.value()).isEqualTo(broker.minted("tok-p-1"));
    }

    @Test
    void endingOneSessionLeavesOtherTaskUsable() throws Exception {
        broker.task("tsk_b", DEV, DEADLINE);
        broker.mints("tsk_b", DEV, "tok-b-1", 300);
        TaskSession other = broker.open(broker.client(), "tsk_b", DEV);
        other.token();

        session.close();

        assertThat(other.token().value()).isEqualTo(broker.minted("tok-b-1"));
    }

    @Test
    void audiencesAreCachedSeparately() throws Exception {
        TaskToken plain = session.token();
        broker.mints(TASK, DEV, "tok-a-orders", 300);

        TaskToken forOrders = session.token("orders-db");

        assertThat(forOrders.value()).isEqualTo(broker.minted("tok-a-orders"));
        assertThat(forOrders.audience()).isEqualTo("orders-db");
        assertThat(session.token()).isEqualTo(plain);
        assertThat(broker.mintCalls(TASK)).isEqualTo(2);
    }

    @Test
    void requestedAudienceIsSentToBroker() throws Exception {
        session.token("orders-db");

        assertThat(broker.server.findAll(postRequestedFor(urlEqualTo("/v1/tasks/" + TASK + "/token")))
                .get(0).getBodyAsString())
                .isEqualTo("{\"audience\":\"orders-db\"}");
    }

    @Test
    void expiryIsTheEarlierOfExpiresAtAndExpiresIn() throws Exception {
        // The broker's clock runs 100 s ahead: expires_at alone would stretch the token.
        broker.mints(TASK, DEV, "tok-skewed", 300, T0.plusSeconds(400));

        assertThat(session.token("orders-db").expiresAt()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void tokenAlreadyExpiredOnArrivalIsUnavailable() throws Exception {
        broker.mints(TASK, DEV, "tok-stale", 300, T0.minusSeconds(5));

        assertThatThrownBy(() -> session.token("orders-db"))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task token request for task tsk_a failed: the broker answered garbage: the token "
                        + "expired at 2026-11-24T22:59:55Z, before it arrived; are the broker's and this host's "
                        + "clocks in step?");
    }
}
