package dev.stint.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9110 method semantics: HEAD on a GET endpoint answers like GET without the body (Vert.x
 * omits Content-Length there, which section 9.3.2 allows), and a 405
 * names the methods the path does take in {@code Allow} (HEAD wherever GET is).
 */
class MethodsTest {

    @TempDir
    static Path dataDir;

    static BrokerHarness broker;
    static String agentToken;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startBroker() {
        broker = BrokerHarness.start(dataDir, new MutableClock(Instant.parse("2026-11-24T10:00:00Z")));
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
        assertThat(broker.postJson("/v1/tasks", "{\"task_id\":\"head-1\",\"tier\":\"dev\",\"purpose\":\"HEAD\","
                + "\"scopes\":[\"db:orders:read\"]}", agentToken).status()).isEqualTo(201);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Stream<Arguments> getEndpoints() {
        return Stream.of(
                Arguments.of("/health", Bearer.NONE, 200),
                Arguments.of("/.well-known/jwks.json", Bearer.NONE, 200),
                Arguments.of("/.well-known/oauth-authorization-server", Bearer.NONE, 200),
                Arguments.of("/v1/tasks/head-1", Bearer.AGENT, 200),
                Arguments.of("/v1/tasks/no-such-task", Bearer.AGENT, 404),
                Arguments.of("/v1/tasks/head-1", Bearer.NONE, 401),
                Arguments.of("/v1/agents/demo-agent", Bearer.ADMIN, 200),
                Arguments.of("/v1/audit", Bearer.ADMIN, 200),
                Arguments.of("/v1/revocations", Bearer.NONE, 200));
    }

    @ParameterizedTest(name = "HEAD {0} ({1})")
    @MethodSource("getEndpoints")
    void headAnswersLikeGetWithoutTheBody(String path, Bearer bearer, int status) {
        HttpResponse<String> get = send("GET", path, bearer);
        HttpResponse<String> head = send("HEAD", path, bearer);

        assertThat(get.statusCode()).as(get.body()).isEqualTo(status);
        assertThat(head.statusCode()).isEqualTo(status);
        for (String header : new String[] {"Content-Type", "Cache-Control", "X-Content-Type-Options"}) {
            assertThat(head.headers().allValues(header)).as(header).isEqualTo(get.headers().allValues(header));
        }
        assertThat(get.body()).isNotEmpty();
        assertThat(head.body()).isEmpty();
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("DELETE", "/health", "GET, HEAD"),
                Arguments.of("POST", "/health", "GET, HEAD"),
                Arguments.of("POST", "/.well-known/jwks.json", "GET, HEAD"),
                Arguments.of("PUT", "/v1/tasks/head-1", "GET, HEAD"),
                Arguments.of("GET", "/v1/tasks", "POST"),
                Arguments.of("GET", "/v1/tasks/head-1/end", "POST"),
                Arguments.of("GET", "/oauth2/token", "POST"),
                Arguments.of("OPTIONS", "/oauth2/token", "POST"),
                Arguments.of("GET", "/v1/keys/rotate", "POST"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void methodNotAllowedNamesTheAllowedMethods(String method, String path, String allow) {
        HttpResponse<String> response = send(method, path, Bearer.AGENT);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(405);
        assertThat(response.headers().allValues("Allow")).containsExactly(allow);
        assertThat(response.body()).contains("\"type\":\"urn:stint:problem:method-not-allowed\"")
                .contains("\"detail\":\"this endpoint does not take that method\"");
    }

    @Test
    void headOnAPostEndpointIsMethodNotAllowedWithoutABody() {
        HttpResponse<String> response = send("HEAD", "/oauth2/token", Bearer.NONE);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().allValues("Allow")).containsExactly("POST");
        assertThat(response.body()).isEmpty();
    }

    enum Bearer { NONE, AGENT, ADMIN }

    private static HttpResponse<String> send(String method, String path, Bearer bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.issuer() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        switch (bearer) {
            case AGENT -> request.header("Authorization", "Bearer " + agentToken);
            case ADMIN -> request.header("Authorization", "Bearer " + broker.adminToken());
            case NONE -> { }
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }
}
