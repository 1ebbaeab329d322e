package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A broker that says the task is over kills the session for good. */
class TaskRefusalTest {

    private static final String TASK = "tsk_a";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
    private static final String UNAUTHORIZED = "urn:stint:problem:unauthorized";


    /** What the broker's token endpoint answers for a suspended agent. */
    private static ResponseDefinitionBuilder suspendedClient() {
        return json(401, "{\"error\":\"invalid_client\","
                + "\"error_description\":\"client assertion rejected: agent orders-bot is suspended\","
                + "\"type\":\"" + UNAUTHORIZED + "\",\"title\":\"Authentication required\",\"status\":401,"
                + "\"detail\":\"client assertion rejected: agent orders-bot is suspended\"}");
    }

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
                    assertThat(e.refusedByClient()).isFalse();
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

    /**
     * A broker that refuses the agent itself while a session refreshes, and the exact message the
     * caller sees. {@code refuse} changes the stub so the refusal outlasts one re-authentication.
     */
    record AgentRefusal(String name, Consumer<BrokerStub> refuse, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<AgentRefusal> agentRefusals() {
        return Stream.of(
                new AgentRefusal("task token endpoint answers 401 again after re-authentication",
                        broker -> broker.answerMint(TASK, problem(401, UNAUTHORIZED, "agent orders-bot is suspended")),
                        "task tsk_a is no longer active: agent orders-bot is suspended "
                                + "(HTTP 401, " + UNAUTHORIZED + ")"),
                new AgentRefusal("re-authentication refused with invalid_client",
                        broker -> {
                            broker.answerMint(TASK, problem(401, UNAUTHORIZED, "the agent token was revoked"));
                            broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).willReturn(suspendedClient()));
                        },
                        "task tsk_a is no longer active: client assertion rejected: agent orders-bot is suspended "
                                + "(HTTP 401, " + UNAUTHORIZED + ")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agentRefusals")
    void agentRefusalOnRefreshIsTaskNotActive(AgentRefusal refusal) throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        refusal.refuse().accept(broker);

        assertThatThrownBy(session::token)
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.problemType()).isEqualTo(UNAUTHORIZED);
                })
                .hasMessage(refusal.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agentRefusals")
    void agentRefusalForOneAudienceDropsCachedTokensOfOthers(AgentRefusal refusal) throws Exception {
        session.token();
        refusal.refuse().accept(broker);
        assertThatThrownBy(() -> session.token("orders-db")).isInstanceOf(TaskNotActiveException.class);

        // The default-audience token is still inside its half-life, yet never served again.
        assertThatThrownBy(session::token)
                .isInstanceOf(TaskNotActiveException.class)
                .hasMessage(refusal.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agentRefusals")
    void agentRefusedSessionNeverAsksBrokerAgain(AgentRefusal refusal) throws Exception {
        session.token();
        broker.clock.advance(Duration.ofSeconds(151));
        refusal.refuse().accept(broker);
        assertThatThrownBy(session::token).isInstanceOf(TaskNotActiveException.class);
        int mints = broker.mintCalls(TASK);
        int authentications = broker.authCalls();
        broker.agentToken("agent-token-2", 300);
        broker.mints(TASK, DEV, "tok-a-2", 300);

        assertThatThrownBy(() -> session.token("orders-db")).isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.mintCalls(TASK)).isEqualTo(mints);
        assertThat(broker.authCalls()).isEqualTo(authentications);
    }

    @Test
    void refusedAuthenticationWhenAgentTokenRenewsKillsSession() throws Exception {
        session.token();
        broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).willReturn(suspendedClient()));
        // Past the agent token's renewal (300 s minus the 30 s margin) and the task token's half-life.
        broker.clock.advance(Duration.ofSeconds(271));

        assertThatThrownBy(session::token)
                .isInstanceOf(TaskNotActiveException.class)
                .hasMessage("task tsk_a is no longer active: client assertion rejected: agent orders-bot is suspended "
                        + "(HTTP 401, " + UNAUTHORIZED + ")");
        assertThatThrownBy(() -> session.token("orders-db")).isInstanceOf(TaskNotActiveException.class);
        assertThat(broker.mintCalls(TASK)).isEqualTo(1);
    }
}
