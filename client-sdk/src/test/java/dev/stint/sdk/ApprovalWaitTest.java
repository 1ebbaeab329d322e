package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A task that needs approval opens as a pending session, and {@link TaskSession#awaitApproval}
 * long-polls {@code GET /v1/tasks/{id}?wait=N} until the broker reports it decided.
 */
class ApprovalWaitTest {

    private static final String TASK = "tsk_a";
    private static final String APPROVAL = "apr_7Hq2";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
    private static final String READ = "/v1/tasks/" + TASK;
    /** What the broker answers while the task waits: the task, pending, naming its request (as the open does). */
    private static final String PENDING = pendingJson();

    private static String pendingJson() {
        String task = BrokerStub.taskJson(TASK, DEV, DEADLINE, "pending_approval");
        return task.substring(0, task.length() - 1) + ",\"approval_id\":\"" + APPROVAL + "\"}";
    }

    private static String finished(String status, String reason) {
        String task = BrokerStub.taskJson(TASK, DEV, DEADLINE, status);
        return task.substring(0, task.length() - 1) + ",\"ended_at\":\"" + T0.plusSeconds(60)
                + "\",\"end_reason\":\"" + reason + "\"}";
    }

    private BrokerStub broker;
    private TaskSession session;
    private final List<TaskInfo> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void openPendingTask() throws Exception {
        broker = new BrokerStub().standard();
        broker.stub(post(urlEqualTo("/v1/tasks")).willReturn(json(201, PENDING)));
        broker.mints(TASK, DEV, "tok-a-1", 300);
        session = broker.open(broker.client(), TASK, DEV);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    /** The answers to the waiting reads, in order; the last one repeats. */
    private void reads(ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "read " + i;
            broker.stub(get(urlPathEqualTo(READ)).inScenario("reads").whenScenarioStateIs(state)
                    .willReturn(answers[i])
                    .willSetStateTo(i == answers.length - 1 ? state : "read " + (i + 1)));
        }
    }

    @Test
    void taskOpenedPendingIsASessionThatSaysSoAndIssuesNothing() {
        assertThat(session.isPending()).isTrue();
        assertThat(session.approvalId()).contains(APPROVAL);
        assertThat(session.info().status()).isEqualTo(TaskStatus.PENDING_APPROVAL);

        assertThatThrownBy(session::token).isInstanceOf(IllegalStateException.class)
                .hasMessage("task tsk_a awaits approval (approval apr_7Hq2); call awaitApproval first");
        assertThat(broker.mintCalls(TASK)).isZero();
    }

    @Test
    void approvedTaskIsReturnedActiveAndTheSessionThenIssues() throws Exception {
        reads(json(200, PENDING), json(200, BrokerStub.taskJson(TASK, DEV, DEADLINE, "active")));

        TaskInfo active = session.awaitApproval(Duration.ofSeconds(20), progress::add);

        assertThat(active.status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(progress).extracting(TaskInfo::status).containsExactly(TaskStatus.PENDING_APPROVAL);
        assertThat(session.isPending()).isFalse();
        assertThat(session.token().value()).isNotBlank();
        // Each read asks the broker to hold it as long as the broker allows, within the time left.
        assertThat(broker.server.findAll(getRequestedFor(urlPathEqualTo(READ))))
                .extracting(request -> request.queryParameter("wait").firstValue())
                .allSatisfy(wait -> assertThat(Integer.parseInt(wait)).isBetween(18, 20));
    }

    @Test
    void longestWaitAskedOfTheBrokerIsThirtySeconds() throws Exception {
        reads(json(200, BrokerStub.taskJson(TASK, DEV, DEADLINE, "active")));

        session.awaitApproval(Duration.ofMinutes(10), progress::add);

        assertThat(broker.server.findAll(getRequestedFor(urlEqualTo(READ + "?wait=30")))).hasSize(1);
    }

    @Test
    void deniedTaskIsThrownWithItsReasonAndTheSessionDies() {
        reads(json(200, PENDING), json(200, finished("denied", "denied by bob@example.com: not during the sale")));

        assertThatThrownBy(() -> session.awaitApproval(Duration.ofSeconds(20), progress::add))
                .isInstanceOfSatisfying(TaskNotApprovedException.class, e -> {
                    assertThat(e.taskStatus()).isEqualTo(TaskStatus.DENIED);
                    assertThat(e.endReason()).contains("denied by bob@example.com: not during the sale");
                })
                .hasMessage("task tsk_a will not be approved: the broker reports it denied (denied by"
                        + " bob@example.com: not during the sale); open a new task");
        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.mintCalls(TASK)).isZero();
    }

    @Test
    void taskEndedWhileWaitingIsNotApproved() {
        reads(json(200, finished("ended", "ended by the agent")));

        assertThatThrownBy(() -> session.awaitApproval(Duration.ofSeconds(20), progress::add))
                .isInstanceOfSatisfying(TaskNotApprovedException.class,
                        e -> assertThat(e.taskStatus()).isEqualTo(TaskStatus.ENDED));
        assertThat(progress).isEmpty();
    }

    @Test
    void taskStillPendingWhenTheTimeRunsOutIsATimeout() {
        // The broker holds each read a little, as it would for the whole wait.
        reads(json(200, PENDING).withFixedDelay(300));

        long start = System.nanoTime();
        assertThatThrownBy(() -> session.awaitApproval(Duration.ofMillis(1_500), progress::add))
                .isInstanceOfSatisfying(ApprovalTimeoutException.class, e -> {
                    assertThat(e.taskId().value()).isEqualTo(TASK);
                    assertThat(e.task().status()).isEqualTo(TaskStatus.PENDING_APPROVAL);
                })
                .hasMessage("task tsk_a still awaits approval (approval apr_7Hq2) after waiting PT1.5S;"
                        + " wait again or end the task");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // It waited out its time, and did not hang on (a wide margin: test machines stall).
        assertThat(took).isBetween(Duration.ofMillis(1_400), Duration.ofSeconds(15));
        assertThat(progress).isNotEmpty().allSatisfy(seen -> assertThat(seen.approvalId()).isEqualTo(APPROVAL));
        assertThat(session.isPending()).isTrue();
    }

    @Test
    void unavailableBrokerIsAskedAgainWhileTimeRemains() throws Exception {
        reads(problem(503, "urn:stint:problem:unavailable", "the store could not be read"),
                json(200, BrokerStub.taskJson(TASK, DEV, DEADLINE, "active")));

        TaskInfo active = session.awaitApproval(Duration.ofSeconds(20), progress::add);

        assertThat(active.status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(broker.server.findAll(getRequestedFor(urlPathEqualTo(READ)))).hasSize(2);
    }

    @Test
    void brokerThatStaysUnavailableIsThrownWhenTheTimeRunsOut() {
        reads(problem(503, "urn:stint:problem:unavailable", "the store could not be read"));

        assertThatThrownBy(() -> session.awaitApproval(Duration.ofSeconds(1), progress::add))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("the store could not be read");
    }

    @Test
    void unknownTaskIsThrownAsTheBrokersRefusal() {
        reads(problem(404, "urn:stint:problem:task-not-found", "task tsk_a not found"));

        assertThatThrownBy(() -> session.awaitApproval(Duration.ofSeconds(20), progress::add))
                .isInstanceOfSatisfying(BrokerRejectedException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(broker.server.findAll(getRequestedFor(urlPathEqualTo(READ)))).hasSize(1);
    }

    @Test
    void heldReadMayTakeLongerThanTheRequestTimeout() throws Exception {
        StintClient impatient = StintClient.create(broker.options().withRequestTimeout(Duration.ofMillis(500)));
        TaskSession pending = broker.open(impatient, TASK, DEV);
        reads(json(200, BrokerStub.taskJson(TASK, DEV, DEADLINE, "active")).withFixedDelay(1_200));

        assertThat(pending.awaitApproval(Duration.ofSeconds(3), progress::add).status())
                .isEqualTo(TaskStatus.ACTIVE);
    }

    @Test
    void activeTaskIsReturnedWithoutAskingTheBroker() throws Exception {
        broker.task("tsk_b", DEV, DEADLINE);
        TaskSession active = broker.open(broker.client(), "tsk_b", DEV);

        assertThat(active.awaitApproval(Duration.ofSeconds(5), progress::add).status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(broker.server.findAll(getRequestedFor(urlPathEqualTo("/v1/tasks/tsk_b")))).isEmpty();
    }
}
