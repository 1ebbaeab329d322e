package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.stint.sdk.BrokerStub.AGENT_KEY;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.token.TaskId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the client proves it is the agent, and how long it reuses the agent token. */
class AgentAuthenticationTest {

    private static final String TASK = "tsk_a";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));

    private BrokerStub broker;
    private StintClient client;

    @BeforeEach
    void startBroker() {
        broker = new BrokerStub().standard();
        broker.task(TASK, DEV, DEADLINE);
        broker.mints(TASK, DEV, "tok-a-1", 300);
        client = broker.client();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private SignedJWT assertion(int index) throws Exception {
        LoggedRequest request = broker.authRequests().get(index);
        return SignedJWT.parse(BrokerStub.form(request).get("client_assertion"));
    }

    @Test
    void tokenRequestUsesClientCredentialsWithJwtBearerAssertion() throws Exception {
        client.task(new TaskId(TASK));

        Map<String, String> form = BrokerStub.form(broker.authRequests().get(0));
        assertThat(form).containsEntry("grant_type", "client_credentials")
                .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .containsEntry("client_id", "orders-bot")
                .containsKey("client_assertion");
        assertThat(broker.authRequests().get(0).getHeader("Content-Type"))
                .isEqualTo("application/x-www-form-urlencoded");
    }

    @Test
    void clientAssertionVerifiesWithAgentPublicKey() throws Exception {
        client.task(new TaskId(TASK));

        SignedJWT jwt = assertion(0);
        assertThat(jwt.verify(new ECDSAVerifier(AGENT_KEY.toPublicJWK()))).isTrue();
    }

    @Test
    void clientAssertionHeaderNamesEs256KidAndJwtType() throws Exception {
        client.task(new TaskId(TASK));

        SignedJWT jwt = assertion(0);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(AGENT_KEY.getKeyID());
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    }

    @Test
    void clientAssertionNamesAgentAsIssuerAndSubjectAndIssuerAsAudience() throws Exception {
        client.task(new TaskId(TASK));

        JWTClaimsSet claims = assertion(0).getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("orders-bot");
        assertThat(claims.getSubject()).isEqualTo("orders-bot");
        assertThat(claims.getAudience()).containsExactly(broker.baseUrl());
    }

    @Test
    void clientAssertionLivesSixtySecondsFromNow() throws Exception {
        client.task(new TaskId(TASK));

        JWTClaimsSet claims = assertion(0).getJWTClaimsSet();
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(T0);
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(T0.plusSeconds(60));
        assertThat(claims.getJWTID()).hasSizeGreaterThanOrEqualTo(22);
    }

    @Test
    void eachClientAssertionHasFreshJti() throws Exception {
        client.task(new TaskId(TASK));
        broker.clock.advance(Duration.ofSeconds(299));
        client.task(new TaskId(TASK));

        assertThat(broker.authCalls()).isEqualTo(2);
        assertThat(assertion(0).getJWTClaimsSet().getJWTID())
                .isNotEqualTo(assertion(1).getJWTClaimsSet().getJWTID());
    }

    @Test
    void agentTokenIsReusedAcrossTaskCalls() throws Exception {
        TaskSession session = broker.open(client, TASK, DEV);
        session.token();
        client.task(new TaskId(TASK));
        session.close();

        assertThat(broker.authCalls()).isEqualTo(1);
        assertThat(broker.metadataCalls()).isEqualTo(1);
        assertThat(broker.server.findAll(getRequestedFor(urlEqualTo("/v1/tasks/" + TASK))).get(0)
                .getHeader("Authorization")).isEqualTo("Bearer agent-token-1");
    }

    @Test
    void agentTokenIsReusedOneSecondBeforeSafetyMargin() throws Exception {
        client.task(new TaskId(TASK));
        broker.clock.advance(Duration.ofSeconds(269));

        client.task(new TaskId(TASK));

        assertThat(broker.authCalls()).isEqualTo(1);
    }

    @Test
    void agentTokenIsRenewedOneSecondAfterSafetyMargin() throws Exception {
        client.task(new TaskId(TASK));
        broker.clock.advance(Duration.ofSeconds(271));

        client.task(new TaskId(TASK));

        assertThat(broker.authCalls()).isEqualTo(2);
    }

    @Test
    void rejectedAgentTokenIsRenewedAndRequestRetriedOnce() throws Exception {
        issueAgentTokensInTurn("agent-token-old", "agent-token-new");
        broker.stub(get(urlEqualTo("/v1/tasks/" + TASK)).withHeader("Authorization", equalTo("Bearer agent-token-old"))
                .willReturn(problem(401, "urn:stint:problem:invalid-token", "agent token revoked")));

        TaskInfo task = client.task(new TaskId(TASK));

        assertThat(task.status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(broker.authCalls()).isEqualTo(2);
        List<LoggedRequest> reads = broker.server.findAll(getRequestedFor(urlEqualTo("/v1/tasks/" + TASK)));
        assertThat(reads).extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer agent-token-old", "Bearer agent-token-new");
    }

    @Test
    void second401InARowIsRejection() {
        broker.stub(get(urlEqualTo("/v1/tasks/" + TASK))
                .willReturn(problem(401, "urn:stint:problem:invalid-token", "agent token not accepted")));

        assertThatThrownBy(() -> client.task(new TaskId(TASK)))
                .isExactlyInstanceOf(BrokerRejectedException.class)
                .hasMessage("task read request for task tsk_a rejected: agent token not accepted "
                        + "(HTTP 401, urn:stint:problem:invalid-token)");
        assertThat(broker.server.findAll(getRequestedFor(urlEqualTo("/v1/tasks/" + TASK)))).hasSize(2);
        assertThat(broker.authCalls()).isEqualTo(2);
    }

    @Test
    void tokenEndpointIsTakenFromMetadata() throws Exception {
        broker.stub(get(urlEqualTo(BrokerStub.METADATA_PATH)).willReturn(json(200, "{\"issuer\":\""
                + broker.baseUrl() + "\",\"token_endpoint\":\"" + broker.baseUrl() + "/custom/token\"}")));
        broker.stub(post(urlEqualTo("/custom/token")).willReturn(json(200,
                "{\"access_token\":\"agent-token-custom\",\"token_type\":\"Bearer\",\"expires_in\":300}")));

        client.task(new TaskId(TASK));

        assertThat(broker.authCalls()).isZero();
        assertThat(broker.server.findAll(getRequestedFor(urlEqualTo("/v1/tasks/" + TASK))).get(0)
                .getHeader("Authorization")).isEqualTo("Bearer agent-token-custom");
    }

    @Test
    void clientAssertionIsNeverSentToTokenEndpointOnAnotherOrigin() {
        WireMockServer elsewhere = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1));
        elsewhere.start();
        try {
            elsewhere.stubFor(post(urlEqualTo(BrokerStub.TOKEN_PATH)).willReturn(json(200,
                    "{\"access_token\":\"agent-token-elsewhere\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
            broker.metadata(broker.baseUrl(), "http://127.0.0.1:" + elsewhere.port() + BrokerStub.TOKEN_PATH);

            assertThatThrownBy(() -> client.task(new TaskId(TASK))).isInstanceOf(BrokerUnavailableException.class);

            assertThat(elsewhere.getAllServeEvents()).isEmpty();
            assertThat(broker.authCalls()).isZero();
        } finally {
            elsewhere.stop();
        }
    }

    @Test
    void metadataIsFetchedOnce() throws Exception {
        client.task(new TaskId(TASK));
        broker.clock.advance(Duration.ofSeconds(299));
        client.task(new TaskId(TASK));

        assertThat(broker.metadataCalls()).isEqualTo(1);
    }

    @Test
    void creatingClientDoesNotContactBroker() {
        broker.client();

        assertThat(broker.server.getAllServeEvents()).isEmpty();
    }

    /** The token endpoint answers {@code first}, then {@code second} for every later request. */
    private void issueAgentTokensInTurn(String first, String second) {
        broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).inScenario("agent tokens").whenScenarioStateIs(STARTED)
                .willSetStateTo("renewed").willReturn(json(200,
                        "{\"access_token\":\"" + first + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
        broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).inScenario("agent tokens").whenScenarioStateIs("renewed")
                .willReturn(json(200,
                        "{\"access_token\":\"" + second + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
    }
}
