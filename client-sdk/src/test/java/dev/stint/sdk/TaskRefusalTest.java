package dev.stint.sdk;

import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A broker that says the task is over kills the session for good. */
class TaskRefusalTest {

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

    /** A named refusal of the token endpoint and the exact message the caller sees. */
    record Refusal(String name, ResponseDefinitionBuilder answer, int status, String type, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("task ended elsewhere", problem(409, "urn:stint:problem:task-not-active", "task is ended"),
                        409, "urn:stint:problem:task-not-active",
                        "task tsk_a is no longer active: task is ended (HTTP 409, urn:stint:problem:task-not-active)"),
                new Refusal("task expired", problem(409, "urn:stint:problem:task-not-active", "task is expired"),
                        409, "urn:stint:problem:task-not-active",
                        "task tsk_a is no longer active: task is expired (HTTP 409, urn:stint:problem:task-not-active)"),
                new Refusal("task unknown", problem(404, "urn:stint:problem:task-not-found", "no task tsk_a"),
                        404, "urn:stint:problem:task-not-found",
                        "task tsk_a is no longer active: no task tsk_a (HTTP 404, urn:stint:problem:task-not-found)"),
                new Refusal("agent suspended", problem(403, "urn:stint:problem:agent-suspended",
                        "agent orders-bot is suspended"), 403, "urn:stint:problem:agent-suspended",
                        "task tsk_a is no longer active: agent orders-bot is suspended "
                                + "(HTTP 403, urn:stint:problem:agent-suspended)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalOnRefreshIsTaskNotActive(Refusal refusal) throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        broker.answerMint(TASK, refusal.answer());

        assertThatThrownBy(session::token)
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> {
                    assertThat(e.status()).isEqualTo(refusal.status());
                    assertThat(e.problemType()).isEqualTo(refusal.type());
                })
                .hasMessage(refusal.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedSessionNeverAsksBrokerAgain(Refusal refusal) throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        broker.answerMint(TASK, refusal.answer());
        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
        broker.mints(TASK, DEV, "tok-a-2", 300);

        assertThatThrownBy(session::token)
                .isInstanceOf(TaskNotActiveException.class)
                .hasMessage(refusal.message());
        assertThat(broker.mintCalls(TASK)).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalForOneAudienceDropsCachedTokensOfOthers(Refusal refusal) throws Exception {
        session.token();
        broker.answerMint(TASK, refusal.answer());
        assertThatThrownBy(() -> session.token("orders-db")).isInstanceOf(TaskNotActiveException.class);

        // The default-audience token is still inside its half-life, yet never served again.
        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
    }
}
