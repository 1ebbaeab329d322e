package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.sdk.BrokerStub.DB_PASSWORD;
import static dev.stint.sdk.BrokerStub.DB_USER;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.credentialsAnswer;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When a session asks the broker for database credentials, when it serves cached ones, and when it refuses. */
class DatabaseCredentialsTest {

    private static final String TASK = "tsk_a";
    private static final String ROLE = "orders-readonly";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
    private static final String WHAT = "database credentials request for task tsk_a (role orders-readonly)";

    private BrokerStub broker;
    private TaskSession session;

    @BeforeEach
    void openTask() throws Exception {
        broker = new BrokerStub().standard();
        broker.task(TASK, DEV, DEADLINE);
        broker.mints(TASK, DEV, "tok-a-1", 300);
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", ROLE, DEV, T0.plusSeconds(600)));
        session = broker.open(broker.client(), TASK, DEV);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void credentialsCarryTheBrokersAnswer() throws Exception {
        DatabaseCredentials c = session.databaseCredentials(ROLE);

        assertThat(c.username()).isEqualTo(DB_USER);
        assertThat(c.password()).isEqualTo(DB_PASSWORD);
        assertThat(c.leaseId()).isEqualTo("lse_1");
        assertThat(c.expiresAt()).isEqualTo(T0.plusSeconds(600));
        assertThat(c.host()).isEqualTo("db.internal");
        assertThat(c.port()).isEqualTo(5432);
        assertThat(c.database()).isEqualTo("orders");
        assertThat(c.role()).isEqualTo(ROLE);
        assertThat(c.tier()).isEqualTo(DEV);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/orders");
    }

    @Test
    void requestNamesTheRoleAndCarriesTheAgentToken() throws Exception {
        session.databaseCredentials(ROLE);

        broker.server.verify(1, postRequestedFor(urlEqualTo("/v1/tasks/tsk_a/database-credentials"))
                .withHeader("Authorization", equalTo("Bearer agent-token-1"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"role\":\"orders-readonly\"}")));
    }

    @Test
    void ipv6HostIsBracketedInJdbcUrl() throws Exception {
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", ROLE, DEV, T0.plusSeconds(600))
                .put("host", "fd00::5").put("port", 6432).put("database", "orders eu/2026"));

        DatabaseCredentials c = session.databaseCredentials(ROLE);

        assertThat(c.host()).isEqualTo("fd00::5");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://[fd00::5]:6432/orders%20eu%2F2026");
    }

    @Test
    void secondRequestForRoleIsServedFromCache() throws Exception {
        DatabaseCredentials first = session.databaseCredentials(ROLE);
        broker.clock.advance(Duration.ofSeconds(60));
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", ROLE, DEV, T0.plusSeconds(660)));

        DatabaseCredentials second = session.databaseCredentials(ROLE);

        assertThat(second).isSameAs(first);
        assertThat(broker.credentialCalls(TASK)).isEqualTo(1);
    }

    @Test
    void rolesAreCachedSeparately() throws Exception {
        session.databaseCredentials(ROLE);
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", "orders-writer", DEV, T0.plusSeconds(600)));

        DatabaseCredentials writer = session.databaseCredentials("orders-writer");

        assertThat(writer.leaseId()).isEqualTo("lse_2");
        assertThat(session.databaseCredentials(ROLE).leaseId()).isEqualTo("lse_1");
        assertThat(broker.credentialCalls(TASK)).isEqualTo(2);
    }

    @Test
    void credentialsOneSecondBeforeSafetyMarginAreServedFromCache() throws Exception {
        // 600 s lease, 30 s margin: served until +570 s, not refreshed at half-life.
        session.databaseCredentials(ROLE);
        broker.clock.advance(Duration.ofSeconds(569));
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", ROLE, DEV, T0.plusSeconds(1169)));

        assertThat(session.databaseCredentials(ROLE).leaseId()).isEqualTo("lse_1");
        assertThat(broker.credentialCalls(TASK)).isEqualTo(1);
    }

    @Test
    void credentialsOneSecondAfterSafetyMarginAreRequestedAnew() throws Exception {
        session.databaseCredentials(ROLE);
        broker.clock.advance(Duration.ofSeconds(571));
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", ROLE, DEV, T0.plusSeconds(1171)));

        DatabaseCredentials renewed = session.databaseCredentials(ROLE);

        assertThat(renewed.leaseId()).isEqualTo("lse_2");
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(1171));
        assertThat(broker.credentialCalls(TASK)).isEqualTo(2);
    }

    @Test
    void shortLeaseIsServedFromCacheOneSecondBeforeHalfLife() throws Exception {
        // 40 s lease: the 30 s margin would leave 10 s of use, so half its life (20 s) counts.
        broker.issuesCredentials(TASK, credentialsAnswer("lse_short", ROLE, DEV, T0.plusSeconds(40)));
        session.databaseCredentials(ROLE);
        broker.clock.advance(Duration.ofSeconds(19));
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", ROLE, DEV, T0.plusSeconds(59)));

        assertThat(session.databaseCredentials(ROLE).leaseId()).isEqualTo("lse_short");
    }

    @Test
    void shortLeaseIsRequestedAnewOneSecondAfterHalfLife() throws Exception {
        broker.issuesCredentials(TASK, credentialsAnswer("lse_short", ROLE, DEV, T0.plusSeconds(40)));
        session.databaseCredentials(ROLE);
        broker.clock.advance(Duration.ofSeconds(21));
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", ROLE, DEV, T0.plusSeconds(61)));

        assertThat(session.databaseCredentials(ROLE).leaseId()).isEqualTo("lse_2");
        assertThat(broker.credentialCalls(TASK)).isEqualTo(2);
    }

    @Test
    void credentialsExpiringAtTheDeadlineAreAccepted() throws Exception {
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", ROLE, DEV, DEADLINE));

        assertThat(session.databaseCredentials(ROLE).expiresAt()).isEqualTo(DEADLINE);
    }

    @Test
    void concurrentCallersForOneRoleCauseOneRequest() throws Exception {
        broker.answerCredentials(TASK, json(201, credentialsAnswer("lse_1", ROLE, DEV, T0.plusSeconds(600))
                .toString()).withTransformers(BrokerStub.Gate.NAME));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<DatabaseCredentials> first = pool.submit(() -> session.databaseCredentials(ROLE));
            assertThat(broker.gate.awaitEntered()).isTrue();
            CompletableFuture<Thread> secondThread = new CompletableFuture<>();
            Future<DatabaseCredentials> second = pool.submit(() -> {
                secondThread.complete(Thread.currentThread());
                return session.databaseCredentials(ROLE);
            });
            waitUntilParked(secondThread.get(5, TimeUnit.SECONDS));

            broker.gate.open();

            assertThat(second.get(5, TimeUnit.SECONDS)).isSameAs(first.get(5, TimeUnit.SECONDS));
            assertThat(broker.credentialCalls(TASK)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void endedSessionRefusesWithoutRequest() throws Exception {
        session.databaseCredentials(ROLE);
        session.end();

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> assertThat(e.refusedByClient()).isTrue())
                .hasMessage("refused by the Stint client: task tsk_a was ended by this session; open a new task");
        assertThatThrownBy(() -> session.databaseCredentials("orders-writer"))
                .isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.credentialCalls(TASK)).isEqualTo(1);
    }

    @Test
    void sessionWhoseEndFailedAtBrokerStillRefusesWithoutRequest() throws Exception {
        broker.stub(post(urlEqualTo("/v1/tasks/tsk_a/end"))
                .willReturn(problem(503, "urn:stint:problem:unavailable", "the store is down")));
        assertThatThrownBy(session::end).isInstanceOf(BrokerUnavailableException.class);

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> assertThat(e.refusedByClient()).isTrue());
        assertThat(broker.credentialCalls(TASK)).isZero();
    }

    @Test
    void sessionAtItsDeadlineRefusesWithoutRequest() throws Exception {
        session.databaseCredentials(ROLE);
        broker.clock.set(DEADLINE);

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> assertThat(e.refusedByClient()).isTrue())
                .hasMessage("refused by the Stint client: task tsk_a reached its deadline 2026-11-25T00:00:00Z; "
                        + "open a new task");
        assertThat(broker.credentialCalls(TASK)).isEqualTo(1);
    }

    @Test
    void sessionOneSecondBeforeItsDeadlineStillRequests() throws Exception {
        broker.clock.set(DEADLINE.minusSeconds(1));
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", ROLE, DEV, DEADLINE));

        assertThat(session.databaseCredentials(ROLE).expiresAt()).isEqualTo(DEADLINE);
    }

    @Test
    void taskOverForTokensRefusesCredentialsWithoutRequest() throws Exception {
        broker.answerMint(TASK, problem(409, TaskNotActiveException.TASK_NOT_ACTIVE, "task is ended"));
        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOf(TaskNotActiveException.class)
                .hasMessage("task tsk_a is no longer active: task is ended (HTTP 409, "
                        + TaskNotActiveException.TASK_NOT_ACTIVE + ")");
        assertThat(broker.credentialCalls(TASK)).isZero();
    }

    @Test
    void taskOverForCredentialsRefusesTokensWithoutRequest() throws Exception {
        session.token();
        broker.answerCredentials(TASK, problem(409, TaskNotActiveException.TASK_NOT_ACTIVE, "task is expired"));
        assertThatThrownBy(() -> session.databaseCredentials(ROLE)).isInstanceOf(TaskNotActiveException.class);

        // The token is within its half-life, yet never served again.
        assertThatThrownBy(session::token)
                .isInstanceOf(TaskNotActiveException.class)
                .hasMessage("task tsk_a is no longer active: task is expired (HTTP 409, "
                        + TaskNotActiveException.TASK_NOT_ACTIVE + ")");
        assertThat(broker.mintCalls(TASK)).isEqualTo(1);
    }

    @Test
    void taskOverForOneRoleDropsCachedCredentialsOfOthers() throws Exception {
        session.databaseCredentials(ROLE);
        broker.answerCredentials(TASK, problem(409, TaskNotActiveException.TASK_NOT_ACTIVE, "task is ended"));
        assertThatThrownBy(() -> session.databaseCredentials("orders-writer"))
                .isInstanceOf(TaskNotActiveException.class);

        assertThatThrownBy(() -> session.databaseCredentials(ROLE)).isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.credentialCalls(TASK)).isEqualTo(2);
    }

    @Test
    void garbageAnswerLeavesSessionAlive() throws Exception {
        broker.issuesCredentials(TASK, credentialsAnswer("lse_1", ROLE, BrokerStub.PROD, T0.plusSeconds(600)));
        assertThatThrownBy(() -> session.databaseCredentials(ROLE)).isInstanceOf(BrokerUnavailableException.class);
        broker.issuesCredentials(TASK, credentialsAnswer("lse_2", ROLE, DEV, T0.plusSeconds(600)));

        assertThat(session.databaseCredentials(ROLE).leaseId()).isEqualTo("lse_2");
        assertThat(session.token()).isNotNull();
    }

    @Test
    void brokerOutageIsUnavailableNotTheOldCredentials() throws Exception {
        session.databaseCredentials(ROLE);
        broker.clock.advance(Duration.ofSeconds(571));
        broker.answerCredentials(TASK, problem(503, "urn:stint:problem:unavailable", "backend orders-dev is down")
                .withHeader("Retry-After", "5"));

        assertThatThrownBy(() -> session.databaseCredentials(ROLE))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(WHAT + " failed: the broker is unavailable (HTTP 503): backend orders-dev is down");
    }

    /** Spins (no sleeping) until {@code thread} waits on the role's lock. */
    private static void waitUntilParked(Thread thread) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
    }
}
