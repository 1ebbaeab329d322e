package dev.stint.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The client side of {@code run-http.sh}, over the broker's public HTTP API only.
 *
 * <pre>
 *   HttpSetup free-port                      prints a free loopback TCP port
 *   HttpSetup setup BASE_URL ADMIN_TOKEN_FILE
 *       registers demo-agent with a fresh P-256 key, gets an agent token with a private_key_jwt
 *       client assertion, opens a dev task, mints one task token as a check, and prints
 *       AGENT_TOKEN=... and TASK_ID=... (shell-safe, for eval)
 *   HttpSetup audit BASE_URL ADMIN_TOKEN_FILE
 *       prints AUDIT_VALID=true|false and AUDIT_RECORDS=N from GET /v1/audit/verify
 * </pre>
 *
 * Exits non-zero with the broker's answer on stderr when any step is not 2xx.
 */
public final class HttpSetup {

    static final String AGENT_ID = "demo-agent";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    private HttpSetup(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("free-port")) {
            try (ServerSocket socket = new ServerSocket(0)) {
                System.out.println(socket.getLocalPort());
            }
            return;
        }
        if (args.length == 3 && (args[0].equals("setup") || args[0].equals("audit"))) {
            HttpSetup setup = new HttpSetup(args[1]);
            String admin = Files.readString(Path.of(args[2]), StandardCharsets.US_ASCII).trim();
            if (args[0].equals("setup")) {
                setup.setup(admin);
            } else {
                setup.audit(admin);
            }
            return;
        }
        System.err.println("usage: HttpSetup free-port | setup BASE_URL ADMIN_TOKEN_FILE | audit BASE_URL ADMIN_TOKEN_FILE");
        System.exit(2);
    }

    private void setup(String adminToken) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256)
                .keyID("bench-" + UUID.randomUUID().toString().substring(0, 8))
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.ES256)
                .generate();

        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("agent_id", AGENT_ID);
        agent.put("owner", "team-orders@example.com");
        agent.put("purpose", "HTTP mint benchmark");
        agent.put("tiers", List.of("dev"));
        agent.put("jwks", Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
        post("/v1/agents", adminToken, "application/json", JSON.writeValueAsString(agent));

        String form = "grant_type=client_credentials"
                + "&client_assertion_type=" + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                + "&client_assertion=" + enc(clientAssertion(key));
        String agentToken = post("/oauth2/token", null, "application/x-www-form-urlencoded", form)
                .path("access_token").asText();

        Map<String, Object> task = new LinkedHashMap<>();
        task.put("tier", "dev");
        task.put("purpose", "bench");
        task.put("scopes", List.of("db:orders:read"));
        task.put("ttl_seconds", 28_800);
        String taskId = post("/v1/tasks", agentToken, "application/json", JSON.writeValueAsString(task))
                .path("task_id").asText();

        JsonNode minted = post("/v1/tasks/" + taskId + "/token", agentToken, null, "");
        if (minted.path("access_token").asText().isEmpty()) {
            throw new IllegalStateException("the check mint returned no access_token: " + minted);
        }
        System.out.println("AGENT_TOKEN=" + agentToken);
        System.out.println("TASK_ID=" + taskId);
    }

    private void audit(String adminToken) throws Exception {
        JsonNode verify = get("/v1/audit/verify", adminToken);
        System.out.println("AUDIT_VALID=" + verify.path("valid").asBoolean());
        System.out.println("AUDIT_RECORDS=" + verify.path("records_checked").asLong());
    }

    /** RFC 7523 client assertion: iss = sub = agent, aud = issuer, one-minute life, random jti. */
    private String clientAssertion(ECKey key) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(AGENT_ID)
                .subject(AGENT_ID)
                .audience(base)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private JsonNode post(String path, String bearer, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request, bearer, "POST " + path);
    }

    private JsonNode get(String path, String bearer) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120)).GET(), bearer,
                "GET " + path);
    }

    private JsonNode send(HttpRequest.Builder request, String bearer, String what)
            throws IOException, InterruptedException {
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            System.err.println("HttpSetup: " + what + " answered " + response.statusCode() + ": " + response.body());
            System.exit(1);
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
