package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A WireMock stand-in for the broker that follows the HTTP contract, plus the client under test
 * on a {@link MutableClock}. Stubs added later win over earlier ones for the same request.
 */
final class BrokerStub implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-24T23:00:00Z");
    static final AgentId AGENT = new AgentId("orders-bot");
    static final ECKey AGENT_KEY = AgentKeys.generate();
    /** Signs the task tokens the stub mints; the SDK reads their claims but never verifies them. */
    static final ECKey BROKER_KEY = AgentKeys.generate();
    static final Tier DEV = new Tier("dev");
    static final Tier PROD = new Tier("prod");
    static final Scope ORDERS_READ = Scope.parse("db:orders:read");
    static final String TOKEN_PATH = "/oauth2/token";
    static final String METADATA_PATH = "/.well-known/oauth-authorization-server";
    static final String ISSUER = "http://127.0.0.1";

    final WireMockServer server;
    final MutableClock clock = new MutableClock(T0);
    /** Holds answers marked {@code withTransformers(Gate.NAME)} until a test opens it. */
    final Gate gate = new Gate();
    /** Every task token the mint stubs handed out, by label (the token's jti). */
    private final Map<String, List<String>> minted = new ConcurrentHashMap<>();

    BrokerStub() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1)
                .extensions(new Mint(), gate));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    StintClientOptions options() {
        return StintClientOptions.of(URI.create(baseUrl()), AGENT, AGENT_KEY, clock)
                .withRequestTimeout(Duration.ofSeconds(5));
    }

    StintClient client() {
        return StintClient.create(options());
    }

    /** Metadata and an agent token that lives 300 s. */
    BrokerStub standard() {
        metadata(baseUrl());
        agentToken("agent-token-1", 300);
        return this;
    }

    void metadata(String issuer) {
        metadata(issuer, baseUrl() + TOKEN_PATH);
    }

    void metadata(String issuer, String tokenEndpoint) {
        server.stubFor(get(urlEqualTo(METADATA_PATH)).willReturn(json(200, "{"
                + "\"issuer\":\"" + issuer + "\","
                + "\"token_endpoint\":\"" + tokenEndpoint + "\","
                + "\"jwks_uri\":\"" + baseUrl() + "/.well-known/jwks.json\","
                + "\"introspection_endpoint\":\"" + baseUrl() + "/oauth2/introspect\","
                + "\"revocation_endpoint\":\"" + baseUrl() + "/oauth2/revoke\"}")));
    }

    void agentToken(String value, long expiresIn) {
        server.stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(json(200,
                "{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}")));
    }

    /** An active task: open (matched by its id), read and end. */
    void task(String taskId, Tier tier, Instant deadline) {
        server.stubFor(post(urlEqualTo("/v1/tasks"))
                .withRequestBody(matchingJsonPath("$.task_id", equalTo(taskId)))
                .willReturn(json(201, taskJson(taskId, tier, deadline, "active"))));
        server.stubFor(get(urlEqualTo("/v1/tasks/" + taskId))
                .willReturn(json(200, taskJson(taskId, tier, deadline, "active"))));
        server.stubFor(post(urlEqualTo("/v1/tasks/" + taskId + "/end"))
                .willReturn(json(200, taskJson(taskId, tier, deadline, "ended"))));
    }

    /**
     * The next token the broker mints for the task, as it reports it now: a signed JWT with jti
     * {@code label} for the audience the request names (the tier's default when it names none),
     * echoed in the answer's {@code audience} as the broker does.
     */
    void mints(String taskId, Tier tier, String label, long expiresIn) {
        mints(taskId, tier, label, expiresIn, clock.instant().plusSeconds(expiresIn));
    }

    void mints(String taskId, Tier tier, String label, long expiresIn, Instant expiresAt) {
        answerMint(taskId, aResponse().withTransformers(Mint.NAME).withTransformerParameters(Map.of(
                "task_id", taskId, "tier", tier.name(), "label", label,
                "expires_in", Long.toString(expiresIn), "expires_at", expiresAt.toString())));
    }

    /** The value of the one token minted with jti {@code label}. */
    String minted(String label) {
        List<String> values = minted.getOrDefault(label, List.of());
        if (values.size() != 1) {
            throw new IllegalStateException("the stub minted " + values.size() + " tokens labelled " + label);
        }
        return values.get(0);
    }

    /** Builds the mint answer from the request, so the requested audience is echoed. */
    private final class Mint implements ResponseDefinitionTransformerV2 {

        static final String NAME = "stint-mint";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Parameters p = event.getTransformerParameters();
            Tier tier = new Tier(p.getString("tier"));
            String audience = Json.tryParseObject(event.getRequest().getBody())
                    .map(body -> Json.optionalText(body, "audience"))
                    .orElse(null);
            String aud = audience != null ? audience : "urn:stint:tier:" + tier;
            Instant expiresAt = Instant.parse(p.getString("expires_at"));
            String token = signedToken(taskClaims(p.getString("label"), p.getString("task_id"), tier, aud, expiresAt));
            minted.computeIfAbsent(p.getString("label"), k -> new CopyOnWriteArrayList<>()).add(token);
            return json(200, tokenAnswer(token, Long.parseLong(p.getString("expires_in")), expiresAt,
                    p.getString("task_id"), tier, aud)).build();
        }
    }

    /** The claims the broker puts in a task token, in a map a test may change before signing. */
    static Map<String, Object> taskClaims(String jti, String taskId, Tier tier, String audience, Instant exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", AGENT.value());
        claims.put("aud", audience);
        claims.put("iat", T0.getEpochSecond());
        claims.put("nbf", T0.getEpochSecond());
        claims.put("exp", exp.getEpochSecond());
        claims.put("jti", jti);
        claims.put("task_id", taskId);
        claims.put("tier", tier.name());
        claims.put("scope", "db:orders:read");
        claims.put("deadline", exp.getEpochSecond());
        claims.put("owner", "team-orders");
        return claims;
    }

    /** A compact ES256 JWS over {@code claims}, signed with {@link #BROKER_KEY}. */
    static String signedToken(Map<String, Object> claims) {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(BROKER_KEY.getKeyID())
                .type(JOSEObjectType.JWT).build(), new Payload(claims));
        try {
            jws.sign(new ECDSASigner(BROKER_KEY));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jws.serialize();
    }

    /** The token endpoint's JSON answer; a null {@code audience} leaves the field out. */
    static String tokenAnswer(String accessToken, long expiresIn, Instant expiresAt, String taskId, Tier tier,
            String audience) {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("access_token", accessToken)
                .put("token_type", "Bearer")
                .put("expires_in", expiresIn)
                .put("expires_at", expiresAt.toString())
                .put("task_id", taskId)
                .put("tier", tier.name())
                .put("scope", "db:orders:read");
        if (audience != null) {
            body.put("audience", audience);
        }
        return body.toString();
    }

    /** The password in every credentials answer {@link #credentialsAnswer} builds. */
    static final String DB_PASSWORD = "pw-Zq8#secret-7Ke";
    static final String DB_USER = "stint_dev_3f9a0c21d47be810";

    /**
     * The broker's {@code 201} answer to a database credentials request for {@code role} in
     * {@code tier}, as a JSON object a test may change: lease {@code leaseId}, expiring at
     * {@code expiresAt}, on {@code db.internal:5432/orders}.
     */
    static ObjectNode credentialsAnswer(String leaseId, String role, Tier tier, Instant expiresAt) {
        return Json.MAPPER.createObjectNode()
                .put("username", DB_USER)
                .put("password", DB_PASSWORD)
                .put("lease_id", leaseId)
                .put("expires_at", expiresAt.toString())
                .put("host", "db.internal")
                .put("port", 5432)
                .put("database", "orders")
                .put("role", role)
                .put("tier", tier.name());
    }

    /** The next database credentials the broker issues for the task, whatever the role asked. */
    void issuesCredentials(String taskId, ObjectNode answer) {
        answerCredentials(taskId, json(201, answer.toString()));
    }

    void answerCredentials(String taskId, ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo(credentialsPath(taskId))).willReturn(answer));
    }

    int credentialCalls(String taskId) {
        return credentialRequests(taskId).size();
    }

    List<LoggedRequest> credentialRequests(String taskId) {
        return server.findAll(postRequestedFor(urlEqualTo(credentialsPath(taskId))));
    }

    private static String credentialsPath(String taskId) {
        return "/v1/tasks/" + taskId + "/database-credentials";
    }

    /** The broker's answer to the task's lease list. */
    void listsLeases(String taskId, ResponseDefinitionBuilder answer) {
        server.stubFor(get(urlEqualTo("/v1/tasks/" + taskId + "/leases")).willReturn(answer));
    }

    int leaseListCalls(String taskId) {
        return server.findAll(getRequestedFor(urlEqualTo("/v1/tasks/" + taskId + "/leases"))).size();
    }

    /**
     * Holds each answer it transforms until {@link #open()}: a test knows a request is in flight
     * ({@link #awaitEntered()}) and decides when it is answered. No sleeping.
     */
    static final class Gate implements ResponseDefinitionTransformerV2 {

        static final String NAME = "stint-gate";

        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch open = new CountDownLatch(1);

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            entered.countDown();
            try {
                open.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return event.getResponseDefinition();
        }

        /** True once a gated request reached the stub, within 5 s. */
        boolean awaitEntered() throws InterruptedException {
            return entered.await(5, TimeUnit.SECONDS);
        }

        void open() {
            open.countDown();
        }
    }

    void answerMint(String taskId, ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo("/v1/tasks/" + taskId + "/token")).willReturn(answer));
    }

    void stub(MappingBuilder mapping) {
        server.stubFor(mapping);
    }

    /** Opens {@code taskId} in {@code tier} through the client. */
    TaskSession open(StintClient client, String taskId, Tier tier) throws Exception {
        return client.openTask(TaskRequest.of(tier, "read orders for the nightly report", List.of(ORDERS_READ))
                .withTaskId(new TaskId(taskId)));
    }

    int mintCalls(String taskId) {
        return server.findAll(postRequestedFor(urlEqualTo("/v1/tasks/" + taskId + "/token"))).size();
    }

    int endCalls(String taskId) {
        return server.findAll(postRequestedFor(urlEqualTo("/v1/tasks/" + taskId + "/end"))).size();
    }

    int authCalls() {
        return authRequests().size();
    }

    int metadataCalls() {
        return server.findAll(getRequestedFor(urlEqualTo(METADATA_PATH))).size();
    }

    List<LoggedRequest> authRequests() {
        return server.findAll(postRequestedFor(urlEqualTo(TOKEN_PATH)));
    }

    /** The form fields of a logged {@code application/x-www-form-urlencoded} request. */
    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            String[] parts = pair.split("=", 2);
            fields.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    URLDecoder.decode(parts.length > 1 ? parts[1] : "", StandardCharsets.UTF_8));
        }
        return fields;
    }

    static String taskJson(String taskId, Tier tier, Instant deadline, String status) {
        return "{\"task_id\":\"" + taskId + "\",\"agent_id\":\"" + AGENT + "\",\"tier\":\"" + tier + "\","
                + "\"purpose\":\"read orders for the nightly report\",\"scopes\":[\"db:orders:read\"],"
                + "\"deadline\":\"" + deadline + "\",\"status\":\"" + status + "\",\"opened_at\":\"" + T0 + "\"}";
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static ResponseDefinitionBuilder problem(int status, String type, String detail) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/problem+json")
                .withBody("{\"type\":\"" + type + "\",\"title\":\"t\",\"status\":" + status
                        + ",\"detail\":\"" + detail + "\"}");
    }

    @Override
    public void close() {
        gate.open();
        server.stop();
    }
}
