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
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The client side of {@code run-http.sh} and {@code run-cluster.sh}, over the broker's public
 * HTTP API only.
 *
 * <pre>
 *   HttpSetup free-port [N]                  prints N (default 1) distinct free loopback TCP ports
 *   HttpSetup setup BASE_URL ADMIN_TOKEN_FILE [AGENT_ID [ISSUER]]
 *       registers AGENT_ID (default demo-agent) with a fresh P-256 key, gets an agent token with a
 *       private_key_jwt client assertion (aud = ISSUER, default BASE_URL), opens a dev task,
 *       mints one task token as a check, and prints AGENT_TOKEN=... and TASK_ID=... (shell-safe,
 *       for eval)
 *   HttpSetup audit BASE_URL ADMIN_TOKEN_FILE
 *       prints AUDIT_VALID=true|false and AUDIT_RECORDS=N from GET /v1/audit/verify
 * </pre>
 *
 * Exits non-zero with the broker's answer on stderr when any step is not 2xx.
 */
public final class HttpSetup {

    static final String AGENT_ID = "demo-agent";
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String issuer;

    /** @param issuer the broker's issuer, the {@code aud} of client assertions; {@code null}: {@code base} */
    HttpSetup(String base, String issuer) {
        this.base = withoutSlash(base);
        this.issuer = issuer == null ? this.base : withoutSlash(issuer);
    }

    static String withoutSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public static void main(String[] args) throws Exception {
        if ((args.length == 1 || args.length == 2) && args[0].equals("free-port")) {
            freePorts(args.length == 2 ? Integer.parseInt(args[1]) : 1);
            return;
        }
        if (args.length >= 3 && args.length <= 5 && args[0].equals("setup")) {
            new HttpSetup(args[1], args.length == 5 ? args[4] : null)
                    .setup(readAdminToken(args[2]), args.length >= 4 ? args[3] : AGENT_ID);
            return;
        }
        if (args.length == 3 && args[0].equals("audit")) {
            new HttpSetup(args[1], null).audit(readAdminToken(args[2]));
            return;
        }
        System.err.println("usage: HttpSetup free-port [N] | setup BASE_URL ADMIN_TOKEN_FILE [AGENT_ID [ISSUER]]"
                + " | audit BASE_URL ADMIN_TOKEN_FILE");
        System.exit(2);
    }

    static String readAdminToken(String file) throws IOException {
        return Files.readString(Path.of(file), StandardCharsets.US_ASCII).trim();
    }

    /** Holds all sockets open until every port is chosen, so the N ports differ. */
    private static void freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0));
            }
            for (ServerSocket socket : sockets) {
                System.out.println(socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private void setup(String adminToken, String agentId) throws Exception {
        ECKey key = newKey();
        registerAgent(adminToken, agentId, key, "HTTP mint benchmark");
        String agentToken = agentToken(agentId, key);
        String taskId = openTask(agentToken);

        JsonNode minted = post("/v1/tasks/" + taskId + "/token", agentToken, null, "");
        if (minted.path("access_token").asText().isEmpty()) {
            throw new IllegalStateException("the check mint returned no access_token: " + minted);
        }
        System.out.println("AGENT_TOKEN=" + agentToken);
        System.out.println("TASK_ID=" + taskId);
    }

    /** A fresh P-256 signing key for an agent. */
    static ECKey newKey() throws JOSEException {
        return new ECKeyGenerator(Curve.P_256)
                .keyID("bench-" + UUID.randomUUID().toString().substring(0, 8))
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.ES256)
                .generate();
    }

    /** {@code POST /v1/agents} (admin): the agent with the public half of {@code key}, tier dev. */
    void registerAgent(String adminToken, String agentId, ECKey key, String purpose) throws IOException, InterruptedException {
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("agent_id", agentId);
        agent.put("owner", "team-orders@example.com");
        agent.put("purpose", purpose);
        agent.put("tiers", List.of("dev"));
        agent.put("jwks", Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
        post("/v1/agents", adminToken, "application/json", JSON.writeValueAsString(agent));
    }

    /** {@code POST /oauth2/token}: an agent token bought with a private_key_jwt client assertion. */
    String agentToken(String agentId, ECKey key) throws JOSEException, IOException, InterruptedException {
        String form = "grant_type=client_credentials"
                + "&client_assertion_type=" + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                + "&client_assertion=" + enc(clientAssertion(agentId, key));
        return post("/oauth2/token", null, "application/x-www-form-urlencoded", form).path("access_token").asText();
    }

    /** {@code POST /v1/tasks} (agent): a dev task, {@code db:orders:read}, 8 hours; its id. */
    String openTask(String agentToken) throws IOException, InterruptedException {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("tier", "dev");
        task.put("purpose", "bench");
        task.put("scopes", List.of("db:orders:read"));
        task.put("ttl_seconds", 28_800);
        return post("/v1/tasks", agentToken, "application/json", JSON.writeValueAsString(task))
                .path("task_id").asText();
    }

    private void audit(String adminToken) throws Exception {
        JsonNode verify = get("/v1/audit/verify", adminToken);
        System.out.println("AUDIT_VALID=" + verify.path("valid").asBoolean());
        System.out.println("AUDIT_RECORDS=" + verify.path("records_checked").asLong());
    }

    /** RFC 7523 client assertion: iss = sub = agent, aud = issuer, one-minute life, random jti. */
    private String clientAssertion(String agentId, ECKey key) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(agentId)
                .subject(agentId)
                .audience(issuer)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    JsonNode post(String path, String bearer, String contentType, String body)
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
