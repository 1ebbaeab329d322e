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
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
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

/**
 * A WireMock stand-in for the broker that follows the HTTP contract, plus the client under test
 * on a {@link MutableClock}. Stubs added later win over earlier ones for the same request.
 */
final class BrokerStub implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-24T23:00:00Z");
    static final AgentId AGENT = new AgentId("orders-bot");
    static final ECKey AGENT_KEY = AgentKeys.generate();
    static final Tier DEV = new Tier("dev");
    static final Tier PROD = new Tier("prod");
    static final Scope ORDERS_READ = Scope.parse("db:orders:read");
    static final String TOKEN_PATH = "/oauth2/token";
    static final String METADATA_PATH = "/.well-known/oauth-authorization-server";

    final WireMockServer server;
    final MutableClock clock = new MutableClock(T0);

    BrokerStub() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1));
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
        server.stubFor(get(urlEqualTo(METADATA_PATH)).willReturn(json(200, "{"
                + "\"issuer\":\"" + issuer + "\","
                + "\"token_endpoint\":\"" + baseUrl() + TOKEN_PATH + "\","
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

    /** The next token the broker mints for the task, as it reports it now. */
    void mints(String taskId, Tier tier, String value, long expiresIn) {
        mints(taskId, tier, value, expiresIn, clock.instant().plusSeconds(expiresIn));
    }

    void mints(String taskId, Tier tier, String value, long expiresIn, Instant expiresAt) {
        answerMint(taskId, json(200, "{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\","
                + "\"expires_in\":" + expiresIn + ",\"expires_at\":\"" + expiresAt + "\","
                + "\"task_id\":\"" + taskId + "\",\"tier\":\"" + tier + "\",\"scope\":\"db:orders:read\"}"));
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
        server.stop();
    }
}
