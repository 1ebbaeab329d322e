package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process killed with SIGKILL in the middle of minting loses nothing it answered:
 * every token a client received is on the audit log and known to introspection after restart,
 * and the hash chain is intact. The broker runs as a real separate JVM on the real clock.
 *
 * <p>What this proves, and what it does not: kill -9 ends the process but leaves the operating
 * system's page cache alone, so this proves commit-before-answer (no answer leaves before its
 * unit committed), not that the commit reached the disk. That part rests on the store syncing
 * every group commit ({@code synchronous=FULL} in write-ahead-log mode, one sync per batch),
 * which only a power cut or a virtual machine's hard reset would test.
 */
class CrashDurabilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    Process process;
    int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private void startBroker() throws Exception {
        Path log = work.resolve("broker.log");
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StintBroker.class.getName(), "broker",
                "--port", Integer.toString(port), "--data-dir", work.resolve("data").toString(),
                "--policy", BrokerHarness.SAMPLE_POLICY.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (send(HttpRequest.newBuilder(uri("/health")).GET()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("broker exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("broker did not become healthy: " + Files.readString(log));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = send(request);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    @Test
    void everyTokenAnsweredBeforeAKillMinusNineIsOnRecordAfterRestart() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        startBroker();
        String admin = Files.readString(work.resolve("data/admin.token")).trim();
        String issuer = "http://127.0.0.1:" + port;
        TestAgent agent = TestAgent.generate("demo-agent");
        json(HttpRequest.newBuilder(uri("/v1/agents")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"agent_id\":\"demo-agent\",\"owner\":\"alice\","
                        + "\"purpose\":\"crash test\",\"tiers\":[\"dev\"],\"jwks\":" + agent.publicJwks() + "}")), 201);
        String form = "grant_type=client_credentials&client_assertion_type="
                + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + agent.assertion(issuer, Instant.now());
        String agentToken = json(HttpRequest.newBuilder(uri("/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), 200).get("access_token").asText();
        String taskId = json(HttpRequest.newBuilder(uri("/v1/tasks")).header("Authorization", "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"tier\":\"dev\",\"purpose\":\"crash\","
                        + "\"scopes\":[\"db:orders:read\"],\"ttl_seconds\":3600}")), 201).get("task_id").asText();

        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            clients.submit(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> minted = send(HttpRequest.newBuilder(uri("/v1/tasks/" + taskId + "/token"))
                                .header("Authorization", "Bearer " + agentToken)
                                .POST(HttpRequest.BodyPublishers.noBody()));
                        if (minted.statusCode() == 200) {
                            String token = JSON.readTree(minted.body()).get("access_token").asText();
                            answered.add(SignedJWT.parse(token).getJWTClaimsSet().getJWTID());
                        }
                    } catch (Exception brokerGone) {
                        // The broker was killed mid-request: that answer never reached us.
                    }
                }
                return null;
            });
        }
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (answered.size() < 300 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        running.set(false);
        clients.shutdown();
        clients.awaitTermination(30, TimeUnit.SECONDS);
        assertThat(answered).hasSizeGreaterThanOrEqualTo(50);

        startBroker();

        JsonNode verify = json(HttpRequest.newBuilder(uri("/v1/audit/verify"))
                .header("Authorization", "Bearer " + admin).GET(), 200);
        assertThat(verify.get("valid").asBoolean()).isTrue();
        Set<String> recorded = new java.util.HashSet<>();
        long after = 0;
        while (true) {
            JsonNode page = json(HttpRequest.newBuilder(uri("/v1/audit?task_id=" + taskId + "&limit=1000&after=" + after))
                    .header("Authorization", "Bearer " + admin).GET(), 200);
            List<JsonNode> records = new ArrayList<>();
            page.get("records").forEach(records::add);
            if (records.isEmpty()) {
                break;
            }
            for (JsonNode record : records) {
                String reason = record.get("reason").asText();
                if (record.get("action").asText().equals("token.mint") && reason.startsWith("task token ")) {
                    recorded.add(reason.substring("task token ".length(), reason.indexOf(' ', "task token ".length())));
                }
            }
            after = page.get("next_after").asLong();
        }
        assertThat(recorded).containsAll(answered);
    }
}
