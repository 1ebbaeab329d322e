package dev.stint.broker.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 7662 introspection and RFC 7009 revocation: the admin sees every token, an agent only its
 * own; a revoked or tampered token is simply inactive; revoking what one may not touch answers 200
 * (the RFC leaves no oracle) but changes nothing.
 */
class IntrospectionAndRevocationTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    TestAgent demo;
    String demoToken;
    String botToken;
    String taskId;
    String taskToken;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
        demo = broker.registerAgent("demo-agent", "dev", "staging", "prod");
        demoToken = broker.agentToken(demo);
        botToken = broker.agentToken(broker.registerAgent("cleanup-bot", "dev"));
        taskId = broker.openTask(demoToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        taskToken = broker.mint(demoToken, taskId).text("access_token");
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    // introspection

    @Test
    void adminIntrospectionOfLiveTaskTokenShowsItsTask() {
        Response response = broker.introspect(taskToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = response.json();
        assertThat(body.get("active").asBoolean()).isTrue();
        assertThat(body.get("task_id").asText()).isEqualTo(taskId);
        assertThat(body.get("tier").asText()).isEqualTo("dev");
        assertThat(body.get("scope").asText()).isEqualTo("db:orders:read");
        assertThat(body.get("sub").asText()).isEqualTo("demo-agent");
        assertThat(body.get("iss").asText()).isEqualTo(broker.issuer());
        assertThat(body.get("exp").asLong()).isEqualTo(START.plusSeconds(300).getEpochSecond());
        assertThat(body.get("deadline").asLong()).isEqualTo(START.plusSeconds(600).getEpochSecond());
    }

    @Test
    void adminIntrospectionOfAgentTokenShowsItsAgent() {
        JsonNode body = broker.introspect(demoToken).json();

        assertThat(body.get("active").asBoolean()).isTrue();
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("client_id").asText()).isEqualTo("demo-agent");
        assertThat(body.get("sub").asText()).isEqualTo("demo-agent");
        assertThat(body.get("exp").asLong()).isEqualTo(START.plusSeconds(300).getEpochSecond());
        assertThat(body.has("task_id")).isFalse();
    }

    @Test
    void agentIntrospectingItsOwnTaskTokenSeesItActive() {
        Response response = broker.postForm("/oauth2/introspect", Map.of("token", taskToken), demoToken);

        assertThat(response.json().get("active").asBoolean()).isTrue();
        assertThat(response.text("task_id")).isEqualTo(taskId);
    }

    @Test
    void agentIntrospectingAnotherAgentsTaskTokenSeesOnlyInactive() {
        Response response = broker.postForm("/oauth2/introspect", Map.of("token", taskToken), botToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"active\":false}");
    }

    @Test
    void agentIntrospectingAnotherAgentsAgentTokenSeesOnlyInactive() {
        Response response = broker.postForm("/oauth2/introspect", Map.of("token", demoToken), botToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"active\":false}");
    }

    static Stream<Arguments> tamperedTaskTokens() {
        return Stream.of(
                tampered("tier claim changed from dev to prod", t -> t.withPayload(p -> p.replace("\"tier\":\"dev\"",
                        "\"tier\":\"prod\""))),
                tampered("exp pushed a day later", t -> t.withPayload(p -> p.replaceFirst("\"exp\":(\\d+)",
                        "\"exp\":" + START.plusSeconds(86_400).getEpochSecond()))),
                tampered("scope widened to delete", t -> t.withPayload(p -> p.replace("db:orders:read",
                        "db:orders:delete"))),
                tampered("signature byte flipped", t -> {
                    String[] parts = t.taskToken.split("\\.");
                    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
                    signature[10] ^= 0x01;
                    return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding()
                            .encodeToString(signature);
                }),
                tampered("signature stripped", t -> t.taskToken.substring(0, t.taskToken.lastIndexOf('.') + 1)),
                tampered("re-issued unsigned (alg none)", t -> new PlainJWT(t.claimsOf(t.taskToken)).serialize()),
                tampered("re-signed with an attacker key under the broker's kid", t -> {
                    ECKey attacker = new ECKeyGenerator(Curve.P_256).generate();
                    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .type(new JOSEObjectType("stint+jwt")).keyID(t.kidOf(t.taskToken)).build(),
                            t.claimsOf(t.taskToken));
                    forged.sign(new ECDSASigner(attacker));
                    return forged.serialize();
                }),
                tampered("garbage", t -> "not-a-token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedTaskTokens")
    void tamperedTaskTokenIsInactive(String name, Tamper tamper) throws Exception {
        String forged = tamper.apply(this);

        Response response = broker.introspect(forged);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"active\":false}");
        assertThat(broker.introspect(taskToken).json().get("active").asBoolean()).as("the original").isTrue();
    }

    static Stream<Arguments> unauthenticatedIntrospection() {
        return Stream.of(
                Arguments.of("no credentials at all", null, Map.of(),
                        "authenticate with private_key_jwt (client_assertion) or an Authorization: Bearer token"),
                Arguments.of("Basic scheme", "Basic ZGVtbzpzZWNyZXQ=", Map.of(),
                        "the Authorization scheme must be Bearer"),
                Arguments.of("garbage bearer", "Bearer garbage", Map.of(),
                        "the bearer token is not an agent token; get one at /oauth2/token"),
                Arguments.of("unknown agent token", "Bearer stint_at_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        Map.of(), "the agent token is not known"),
                Arguments.of("guessed admin credential", "Bearer stint_admin_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        Map.of(), "the admin credential is not valid"),
                Arguments.of("client_assertion that is garbage", null,
                        Map.of("client_assertion_type", JWT_BEARER, "client_assertion", "garbage"),
                        "client assertion rejected: not a well-formed JWT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unauthenticatedIntrospection")
    void introspectionRefusesUnauthenticatedCallers(String name, String authorization, Map<String, String> extra,
            String detail) {
        Map<String, String> form = new LinkedHashMap<>(extra);
        form.put("token", taskToken);

        Response response = postForm("/oauth2/introspect", form, authorization);

        assertInvalidClient(response, detail);
        assertThat(response.body()).doesNotContain("task_id").doesNotContain("\"active\"");
    }

    @Test
    void introspectionWithClientAssertionWorksOnce() {
        String assertion = demo.assertion(broker.issuer(), clock.instant());
        Map<String, String> form = Map.of("token", taskToken, "client_assertion_type", JWT_BEARER,
                "client_assertion", assertion);

        Response first = broker.postForm("/oauth2/introspect", form, null);
        long head = auditHead();
        Response replay = broker.postForm("/oauth2/introspect", form, null);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("active").asBoolean()).isTrue();
        assertThat(first.text("task_id")).isEqualTo(taskId);
        String reason = "client assertion rejected: it was already used (jti replayed) for agent demo-agent";
        assertInvalidClient(replay, reason);
        List<JsonNode> records = auditAfter(head);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("action").asText()).isEqualTo("agent.authenticate");
        assertThat(records.get(0).get("decision").asText()).isEqualTo("deny");
        assertThat(records.get(0).get("reason").asText()).matches(ClientAssertionAttackTest.summaryOfOne(reason));
    }

    @Test
    void assertionSpentAtTokenEndpointCannotBeReplayedAtIntrospection() {
        String assertion = demo.assertion(broker.issuer(), clock.instant());
        assertThat(broker.requestAgentToken(assertion).status()).isEqualTo(200);

        Response replay = broker.postForm("/oauth2/introspect", Map.of("token", taskToken,
                "client_assertion_type", JWT_BEARER, "client_assertion", assertion), null);

        assertInvalidClient(replay, "client assertion rejected: it was already used (jti replayed) for agent demo-agent");
    }

    @Test
    void introspectionWithoutTokenParameterIsInvalidRequest() {
        Response response = broker.postForm("/oauth2/introspect", Map.of(), broker.adminToken());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.text("error")).isEqualTo("invalid_request");
        assertThat(response.text("detail")).isEqualTo("token is required");
    }

    @Test
    void overlongTokenParameterIsInvalidRequest() {
        Response response = broker.postForm("/oauth2/introspect", Map.of("token", "e".repeat(9000)),
                broker.adminToken());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.text("error")).isEqualTo("invalid_request");
        assertThat(response.text("detail")).isEqualTo("token is longer than 8192 characters");
    }

    // revocation

    @Test
    void agentRevokesItsTaskTokenWhichThenIsInactiveWhileTheTaskStaysActive() {
        Response revoked = broker.postForm("/oauth2/revoke", Map.of("token", taskToken), demoToken);

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(broker.introspect(taskToken).json().get("active").asBoolean()).isFalse();
        assertThat(broker.get("/v1/tasks/" + taskId, demoToken).text("status")).isEqualTo("active");
        assertThat(broker.mint(demoToken, taskId).status()).as("a new token for the live task").isEqualTo(200);
    }

    @Test
    void revocationIsAuditedWithTheTokenAndTask() {
        long head = auditHead();

        broker.postForm("/oauth2/revoke", Map.of("token", taskToken), demoToken);

        List<JsonNode> records = auditAfter(head);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("action").asText()).isEqualTo("token.revoke");
        assertThat(records.get(0).get("decision").asText()).isEqualTo("allow");
        assertThat(records.get(0).get("actor").asText()).isEqualTo("agent:demo-agent");
        assertThat(records.get(0).get("task_id").asText()).isEqualTo(taskId);
        assertThat(records.get(0).get("reason").asText()).doesNotContain(taskToken);
    }

    @Test
    void revokingTwiceAnswers200AndRecordsOnce() {
        broker.postForm("/oauth2/revoke", Map.of("token", taskToken), demoToken);
        long head = auditHead();

        Response again = broker.postForm("/oauth2/revoke", Map.of("token", taskToken), demoToken);

        assertThat(again.status()).isEqualTo(200);
        assertThat(auditHead()).isEqualTo(head);
    }

    @Test
    void revokingGarbageAnswers200AndChangesNothing() {
        long head = auditHead();

        Response response = broker.postForm("/oauth2/revoke", Map.of("token", "garbage"), demoToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(auditHead()).isEqualTo(head);
        assertThat(broker.introspect(taskToken).json().get("active").asBoolean()).isTrue();
    }

    @Test
    void revokingAnotherAgentsTaskTokenAnswers200ButItStaysActive() {
        long head = auditHead();

        Response response = broker.postForm("/oauth2/revoke", Map.of("token", taskToken), botToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(broker.introspect(taskToken).json().get("active").asBoolean()).isTrue();
        assertThat(auditHead()).isEqualTo(head);
    }

    @Test
    void revokingAnotherAgentsAgentTokenAnswers200ButItKeepsWorking() {
        Response response = broker.postForm("/oauth2/revoke", Map.of("token", demoToken), botToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(broker.introspect(demoToken).json().get("active").asBoolean()).isTrue();
        assertThat(broker.get("/v1/tasks/" + taskId, demoToken).status()).isEqualTo(200);
    }

    @Test
    void agentCannotRevokeTheAdminCredential() {
        Response response = broker.postForm("/oauth2/revoke", Map.of("token", broker.adminToken()), demoToken);

        assertThat(response.status()).isEqualTo(200);
        assertThat(broker.get("/v1/agents/demo-agent", broker.adminToken()).status()).isEqualTo(200);
    }

    @Test
    void agentIntrospectingTheAdminCredentialLearnsNothing() {
        Response response = broker.postForm("/oauth2/introspect", Map.of("token", broker.adminToken()), demoToken);

        assertThat(response.body()).isEqualTo("{\"active\":false}");
    }

    @Test
    void revokedAgentTokenCanNoLongerCallTheTaskApi() {
        Response revoked = broker.postForm("/oauth2/revoke", Map.of("token", demoToken), demoToken);

        Response refused = broker.openTask(demoToken, "dev", "[\"db:orders:read\"]", 60L);

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:unauthorized");
        assertThat(refused.text("detail")).isEqualTo("the agent token was revoked");
        assertThat(broker.get("/v1/tasks/" + taskId, demoToken).status()).isEqualTo(401);
        assertThat(broker.introspect(demoToken).json().get("active").asBoolean()).isFalse();
    }

    @Test
    void adminRevokesAnAgentTokenOnBehalfOfTheSecurityTeam() {
        Response revoked = broker.postForm("/oauth2/revoke", Map.of("token", demoToken), broker.adminToken());

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(broker.mint(demoToken, taskId).status()).isEqualTo(401);
    }

    @Test
    void revocationWithoutAuthenticationIsRefusedAndRevokesNothing() {
        Response response = broker.postForm("/oauth2/revoke", Map.of("token", taskToken), null);

        assertInvalidClient(response,
                "authenticate with private_key_jwt (client_assertion) or an Authorization: Bearer token");
        assertThat(broker.introspect(taskToken).json().get("active").asBoolean()).isTrue();
    }

    @Test
    void revocationWithClientAssertionRevokes() {
        Response response = broker.postForm("/oauth2/revoke", Map.of("token", taskToken,
                "client_assertion_type", JWT_BEARER, "client_assertion",
                demo.assertion(broker.issuer(), clock.instant())), null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(broker.introspect(taskToken).json().get("active").asBoolean()).isFalse();
    }

    // helpers

    @FunctionalInterface
    interface Tamper {
        String apply(IntrospectionAndRevocationTest t) throws Exception;
    }

    private static Arguments tampered(String name, Tamper tamper) {
        return Arguments.of(name, tamper);
    }

    /** The task token with its payload JSON edited and its original signature kept. */
    String withPayload(UnaryOperator<String> edit) {
        String[] parts = taskToken.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String edited = edit.apply(payload);
        assertThat(edited).as("the edit applies").isNotEqualTo(payload);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(edited.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    JWTClaimsSet claimsOf(String token) throws Exception {
        return SignedJWT.parse(token).getJWTClaimsSet();
    }

    String kidOf(String token) throws Exception {
        return SignedJWT.parse(token).getHeader().getKeyID();
    }

    /** A form POST with a raw Authorization header (or none). */
    private Response postForm(String path, Map<String, String> form, String authorization) {
        String body = form.entrySet().stream()
                .map(e -> java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(broker.issuer() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), response.headers());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertInvalidClient(Response response, String detail) {
        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.text("error")).isEqualTo("invalid_client");
        assertThat(response.text("error_description")).isEqualTo(detail);
        assertThat(response.text("type")).isEqualTo("urn:stint:problem:unauthorized");
        assertThat(response.json().get("status").asInt()).isEqualTo(401);
        assertThat(response.text("detail")).isEqualTo(detail);
    }

    /** The head once everything counted so far is on record. */
    private long auditHead() {
        broker.flushRefusals();
        return broker.get("/health", null).json().get("audit_head_seq").asLong();
    }

    /** The records after {@code seq}, once the refusals counted so far are summed up. */
    private List<JsonNode> auditAfter(long seq) {
        broker.flushRefusals();
        List<JsonNode> records = new ArrayList<>();
        broker.get("/v1/audit?after=" + seq, broker.adminToken()).json().get("records").forEach(records::add);
        return records;
    }
}
