package dev.stint.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A real broker (real router, real embedded store, real keys) on a free loopback port with a
 * data directory of the test's own and a clock the test moves. Requests go over real HTTP.
 */
public final class BrokerHarness implements AutoCloseable {

    public static final Path SAMPLE_POLICY = Path.of("../config/policy.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String text(String field) {
            JsonNode node = json().get(field);
            return node == null || node.isNull() ? null : node.asText();
        }
    }

    private final Path dataDir;
    private final Path policy;
    private final MutableClock clock;
    private final Optional<Provider> ecdsaProvider;
    private final UnaryOperator<BrokerOptions> tweak;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Vertx vertx;
    private BrokerVerticle verticle;

    private BrokerHarness(Path dataDir, Path policy, MutableClock clock, Optional<Provider> ecdsaProvider,
            UnaryOperator<BrokerOptions> tweak) {
        this.dataDir = dataDir;
        this.policy = policy;
        this.clock = clock;
        this.ecdsaProvider = ecdsaProvider;
        this.tweak = tweak;
    }

    public static BrokerHarness start(Path dataDir, MutableClock clock) {
        return start(dataDir, SAMPLE_POLICY, clock);
    }

    /** A broker whose HTTP servers have {@code limits} (short deadlines, a small cap) instead of the defaults. */
    public static BrokerHarness start(Path dataDir, MutableClock clock, HttpLimits limits) {
        return start(dataDir, clock, options -> options.withHttp(limits));
    }

    public static BrokerHarness start(Path dataDir, Path policy, MutableClock clock) {
        return start(dataDir, policy, clock, UnaryOperator.identity());
    }

    /**
     * @param tweak changes the options the harness would use (its data directory, policy and a free port)
     * @throws java.util.concurrent.CompletionException when the broker does not start; nothing is left running
     */
    public static BrokerHarness start(Path dataDir, MutableClock clock, UnaryOperator<BrokerOptions> tweak) {
        return start(dataDir, SAMPLE_POLICY, clock, tweak);
    }

    public static BrokerHarness start(Path dataDir, Path policy, MutableClock clock,
            UnaryOperator<BrokerOptions> tweak) {
        BrokerHarness harness = new BrokerHarness(dataDir, policy, clock,
                Optional.ofNullable(dev.stint.token.keys.JcaProviders.ecdsa()), tweak);
        harness.deploy();
        return harness;
    }

    /** A broker whose client-assertion ECDSA signatures are checked by {@code ecdsaProvider}. */
    public static BrokerHarness startWithEcdsaProvider(Path dataDir, MutableClock clock, Provider ecdsaProvider) {
        BrokerHarness harness = new BrokerHarness(dataDir, SAMPLE_POLICY, clock, Optional.of(ecdsaProvider),
                UnaryOperator.identity());
        harness.deploy();
        return harness;
    }

    private void deploy() {
        deploy(0);
    }

    private void deploy(int port) {
        vertx = Vertx.vertx();
        verticle = new BrokerVerticle(tweak.apply(BrokerOptions.defaults(policy).withPort(port).withDataDir(dataDir)),
                clock, ecdsaProvider);
        try {
            vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException failed) {
            close();
            throw failed;
        }
    }

    /** Stops the broker and starts a new one on the same data directory and port (so the same issuer). */
    public void restart() {
        restartAfter(() -> { });
    }

    /** Like {@link #restart()}, doing {@code whileStopped} (moving the clock, say) between stop and start. */
    public void restartAfter(Runnable whileStopped) {
        int port = verticle.actualPort();
        close();
        whileStopped.run();
        deploy(port);
    }

    public String issuer() {
        return verticle.issuer();
    }

    /** The loopback port the broker listens on, for raw socket clients. */
    public int port() {
        return verticle.actualPort();
    }

    public MutableClock clock() {
        return clock;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Writes the summaries of unauthenticated failures counted so far (what the broker does every
     * ten seconds of its clock) and returns how many audit records that appended.
     */
    public int flushRefusals() {
        return verticle.refusals().flush().toCompletionStage().toCompletableFuture().join();
    }

    public String adminToken() {
        try {
            return Files.readString(dataDir.resolve("admin.token")).trim();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // requests

    public Response get(String path, String bearer) {
        return send(request(path, bearer).GET());
    }

    public Response postJson(String path, String body, String bearer) {
        return send(request(path, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response postRaw(String path, String contentType, byte[] body, String bearer) {
        HttpRequest.Builder builder = request(path, bearer).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    public Response postForm(String path, Map<String, String> form, String bearer) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(request(path, bearer).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(issuer() + path)).timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder;
    }

    private Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), response.headers());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    // scenario steps

    /** Registers an agent (as admin) for {@code tiers} and returns it with its private key. */
    public TestAgent registerAgent(String id, String... tiers) {
        return registerAgentOwnedBy(id, "alice@example.com", tiers);
    }

    /** Registers an agent whose {@code owner} is that text (JSON-escaped here). */
    public TestAgent registerAgentOwnedBy(String id, String owner, String... tiers) {
        TestAgent agent = TestAgent.generate(id);
        String ownerJson;
        try {
            ownerJson = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(owner);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        Response response = postJson("/v1/agents", "{\"agent_id\":\"" + id + "\",\"owner\":" + ownerJson + ","
                + "\"purpose\":\"tests\",\"tiers\":[" + String.join(",", java.util.Arrays.stream(tiers)
                        .map(t -> "\"" + t + "\"").toList()) + "],\"jwks\":" + agent.publicJwks() + "}",
                adminToken());
        if (response.status() != 201) {
            throw new AssertionError("registration failed: " + response.status() + " " + response.body());
        }
        return agent;
    }

    public Response requestAgentToken(String assertion) {
        return postForm("/oauth2/token", Map.of(
                "grant_type", "client_credentials",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion), null);
    }

    /** A fresh agent token for {@code agent}. */
    public String agentToken(TestAgent agent) {
        Response response = requestAgentToken(agent.assertion(issuer(), clock.instant()));
        if (response.status() != 200) {
            throw new AssertionError("token request failed: " + response.status() + " " + response.body());
        }
        return response.text("access_token");
    }

    public Response openTask(String agentToken, String tier, String scopesJson, Long ttlSeconds) {
        return postJson("/v1/tasks", "{\"tier\":\"" + tier + "\",\"purpose\":\"test work\",\"scopes\":" + scopesJson
                + (ttlSeconds == null ? "" : ",\"ttl_seconds\":" + ttlSeconds) + "}", agentToken);
    }

    public Response mint(String agentToken, String taskId) {
        return postRaw("/v1/tasks/" + taskId + "/token", null, new byte[0], agentToken);
    }

    public Response introspect(String token) {
        return postForm("/oauth2/introspect", Map.of("token", token), adminToken());
    }

    @Override
    public void close() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            vertx = null;
        }
    }
}
