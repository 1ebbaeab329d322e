package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.sdk.BrokerStub.AGENT;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.stint.token.TaskId;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Authentication by RFC 8693 token exchange of a CI job's OIDC token, against a stub of the broker. */
class TokenExchangeTest {

    static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String TASK = "tsk_x";
    static final Instant DEADLINE = T0.plus(Duration.ofHours(1));

    BrokerStub broker;
    /** Hands out ci-token-1, ci-token-2, ... and counts the calls. */
    CountingSource source = new CountingSource();

    @BeforeEach
    void start() {
        broker = new BrokerStub();
        metadataWithGrants("[\"client_credentials\",\"" + GRANT + "\"]");
        exchangeAnswers(json(200, exchangeAnswer("agent-token-1", 300)));
        broker.task(TASK, DEV, DEADLINE);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    StintClient client() {
        return StintClient.create(TokenExchangeOptions.of(URI.create(broker.baseUrl()), source, broker.clock)
                .withRequestTimeout(Duration.ofSeconds(5)));
    }

    void metadataWithGrants(String grantTypesJson) {
        broker.stub(get(urlEqualTo(BrokerStub.METADATA_PATH)).willReturn(json(200, "{\"issuer\":\"" + broker.baseUrl()
                + "\",\"token_endpoint\":\"" + broker.baseUrl() + BrokerStub.TOKEN_PATH + "\""
                + (grantTypesJson == null ? "" : ",\"grant_types_supported\":" + grantTypesJson) + "}")));
    }

    void exchangeAnswers(ResponseDefinitionBuilder answer) {
        broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).willReturn(answer));
    }

    static String exchangeAnswer(String token, long expiresIn) {
        return "{\"access_token\":\"" + token + "\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:"
                + "access_token\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}";
    }

    /** A JWT-shaped subject token (the SDK does not read it). */
    static String ciToken(int n) {
        return "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaS0" + n + "In0.c2lnLQ";
    }

    static final class CountingSource implements SubjectTokenSource {
        final List<String> handedOut = new ArrayList<>();

        @Override
        public synchronized String subjectToken() {
            String token = ciToken(handedOut.size() + 1);
            handedOut.add(token);
            return token;
        }
    }

    @Test
    void exchangeSendsTheSubjectTokenAndNoClientAuthentication() throws Exception {
        client().task(new TaskId(TASK));

        assertThat(BrokerStub.form(broker.authRequests().get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "grant_type", GRANT,
                "subject_token", ciToken(1),
                "subject_token_type", "urn:ietf:params:oauth:token-type:jwt"));
        assertThat(broker.authRequests().get(0).getHeader("Authorization")).isNull();
    }

    @Test
    void exchangedAgentTokenIsUsedOnTheTaskApi() throws Exception {
        client().task(new TaskId(TASK));

        assertThat(broker.server.getAllServeEvents()).filteredOn(e -> e.getRequest().getUrl().startsWith("/v1/"))
                .allSatisfy(e -> assertThat(e.getRequest().getHeader("Authorization")).isEqualTo("Bearer agent-token-1"));
    }

    @Test
    void everyNewAgentTokenTakesAFreshSubjectToken() throws Exception {
        StintClient client = client();
        client.task(new TaskId(TASK));
        broker.clock.advance(Duration.ofSeconds(271));

        client.task(new TaskId(TASK));

        assertThat(source.handedOut).hasSize(2);
        assertThat(broker.authRequests()).extracting(r -> BrokerStub.form(r).get("subject_token"))
                .containsExactly(ciToken(1), ciToken(2));
    }

    @Test
    void agentTokenIsReusedUntilItsRenewalTime() throws Exception {
        StintClient client = client();
        AgentToken first = client.agentToken();
        broker.clock.advance(Duration.ofSeconds(269));

        AgentToken again = client.agentToken();

        assertThat(again).isEqualTo(first);
        assertThat(first.expiresAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(first.renewsAt()).isEqualTo(T0.plusSeconds(270));
        assertThat(source.handedOut).hasSize(1);
    }

    @Test
    void agentIsLearnedFromTheFirstTaskAnswer() throws Exception {
        StintClient client = client();
        assertThatThrownBy(client::agentId).isInstanceOf(IllegalStateException.class);

        client.task(new TaskId(TASK));

        assertThat(client.agentId()).isEqualTo(AGENT);
    }

    @Test
    void aLaterAnswerNamingAnotherAgentIsGarbage() throws Exception {
        StintClient client = client();
        client.task(new TaskId(TASK));
        broker.stub(get(urlEqualTo("/v1/tasks/tsk_y")).willReturn(json(200,
                BrokerStub.taskJson("tsk_y", DEV, DEADLINE, "active").replace("\"orders-bot\"", "\"other-bot\""))));

        assertThatThrownBy(() -> client.task(new TaskId("tsk_y")))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task read request for task tsk_y failed: the broker answered garbage: the task belongs"
                        + " to agent other-bot, not orders-bot (the agent the broker's earlier answers named)");
    }

    @Test
    void brokerWhoseMetadataLacksTheGrantIsRefusedBeforeASubjectTokenIsTaken() {
        metadataWithGrants("[\"client_credentials\"]");

        assertThatThrownBy(() -> client().task(new TaskId(TASK)))
                .isInstanceOf(BrokerRejectedException.class)
                .hasMessageStartingWith("refused by the Stint client: the broker at " + broker.baseUrl()
                        + " does not offer token exchange");
        assertThat(source.handedOut).isEmpty();
        assertThat(broker.authCalls()).isZero();
    }

    @Test
    void brokerThatPublishesNoGrantTypesIsTried() throws Exception {
        metadataWithGrants(null);

        client().task(new TaskId(TASK));

        assertThat(broker.authCalls()).isEqualTo(1);
    }

    @Test
    void tokenEndpointOffTheIssuersOriginGetsNoSubjectToken() {
        broker.metadata(broker.baseUrl(), "http://127.0.0.2:1" + BrokerStub.TOKEN_PATH);

        assertThatThrownBy(() -> client().task(new TaskId(TASK)))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("is not on the issuer's origin");
        assertThat(source.handedOut).isEmpty();
    }

    @Test
    void sourceThatFailsGivesSubjectTokenUnavailableWithItsReasonAndSendsNothing() {
        SubjectTokenSource down = () -> {
            throw new IOException("GitHub's token service answered HTTP 500");
        };
        StintClient client = StintClient.create(TokenExchangeOptions.of(URI.create(broker.baseUrl()), down,
                broker.clock));

        assertThatThrownBy(() -> client.task(new TaskId(TASK)))
                .isInstanceOf(SubjectTokenUnavailableException.class)
                .hasMessage("token exchange failed: no subject token: GitHub's token service answered HTTP 500");
        assertThat(broker.authCalls()).isZero();
    }

    @Test
    void sourceThatCanGiveOneTokenOnlyMakesRenewalFailWithItsReason() throws Exception {
        List<String> tokens = new ArrayList<>(List.of(ciToken(1)));
        SubjectTokenSource once = () -> {
            if (tokens.isEmpty()) {
                throw new IOException("the job's ID token was exchanged already");
            }
            return tokens.remove(0);
        };
        StintClient client = StintClient.create(TokenExchangeOptions.of(URI.create(broker.baseUrl()), once,
                broker.clock));
        client.task(new TaskId(TASK));
        broker.clock.advance(Duration.ofSeconds(271));

        assertThatThrownBy(() -> client.task(new TaskId(TASK)))
                .isInstanceOf(SubjectTokenUnavailableException.class)
                .hasMessage("token exchange failed: no subject token: the job's ID token was exchanged already");
    }

    @Test
    void sourceGivingSomethingThatIsNotAJwtIsNotSent() {
        StintClient client = StintClient.create(TokenExchangeOptions.of(URI.create(broker.baseUrl()),
                () -> "not a token", broker.clock));

        assertThatThrownBy(() -> client.task(new TaskId(TASK)))
                .isInstanceOf(SubjectTokenUnavailableException.class)
                .hasMessage("token exchange failed: no subject token: the source gave something that is not a JWT");
        assertThat(broker.authCalls()).isZero();
    }

    record Refusal(String name, ResponseDefinitionBuilder answer, Class<? extends Exception> type, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("a replayed subject token", json(400, "{\"error\":\"invalid_grant\",\"error_description\":"
                        + "\"subject token rejected: it was exchanged already\"}"), BrokerRejectedException.class,
                        "token exchange rejected: subject token rejected: it was exchanged already (HTTP 400,"
                                + " about:blank)"),
                new Refusal("no federation rule", json(400, "{\"error\":\"invalid_target\",\"error_description\":"
                        + "\"no federation rule matches\"}"), BrokerRejectedException.class,
                        "token exchange rejected: no federation rule matches (HTTP 400, about:blank)"),
                new Refusal("the CI issuer down", json(503, "{\"error\":\"temporarily_unavailable\","
                        + "\"error_description\":\"the CI issuer's keys cannot be fetched\"}"),
                        BrokerUnavailableException.class, "token exchange failed: the broker is unavailable"
                                + " (HTTP 503): the CI issuer's keys cannot be fetched"),
                new Refusal("no issued_token_type", json(200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300}"), BrokerUnavailableException.class, "token exchange failed: the"
                                + " broker answered garbage: field 'issued_token_type' is missing or not a non-empty"
                                + " string"),
                new Refusal("another issued_token_type", json(200, exchangeAnswer("a", 300).replace("access_token\",",
                        "refresh_token\",")), BrokerUnavailableException.class, "token exchange failed: the broker"
                                + " answered garbage: field 'issued_token_type' is not"
                                + " urn:ietf:params:oauth:token-type:access_token"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void exchangeAnswersOtherThanATokenAreReportedWithTheBrokersReason(Refusal row) {
        exchangeAnswers(row.answer());

        assertThatThrownBy(() -> client().task(new TaskId(TASK)))
                .isInstanceOf(row.type())
                .hasMessage(row.message());
    }
}
