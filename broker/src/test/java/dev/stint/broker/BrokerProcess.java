package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker as a JVM of its own, started the way an operator starts it ({@code stint broker
 * --port P --data-dir DIR --policy FILE ...}), on the real clock, on a free loopback port. Its
 * output is appended to {@code DIR.log} beside its data directory, across restarts. Requests go
 * over real HTTP; the scenario steps speak the API of the README.
 */
final class BrokerProcess implements AutoCloseable {

    static final Duration START_DEADLINE = Duration.ofSeconds(60);
    /** What a test agent asks for: the sample policy grants it to {@code demo-agent} in dev. */
    static final String TIER = "dev";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RECORDED_TOKEN = Pattern.compile("^(?:task|agent) token (\\S+) ");

    private final List<String> command;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final String issuer;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private BrokerProcess(Path dataDir, int port, List<String> extra) {
        this.dataDir = dataDir;
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.port = port;
        int issuerAt = extra.indexOf("--issuer");
        this.issuer = issuerAt >= 0 ? extra.get(issuerAt + 1) : "http://127.0.0.1:" + port;
        List<String> all = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StintBroker.class.getName(), "broker",
                "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--policy", BrokerHarness.SAMPLE_POLICY.toString()));
        all.addAll(extra);
        this.command = List.copyOf(all);
    }

    /** Starts a broker on a free port and returns at once: it may still be starting, or failing to. */
    static BrokerProcess launch(Path dataDir, String... extra) {
        BrokerProcess broker = new BrokerProcess(dataDir, freePort(), List.of(extra));
        broker.launch();
        return broker;
    }

    /** Starts a broker on a free port and waits until its {@code /health} answers 200. */
    static BrokerProcess start(Path dataDir, String... extra) {
        return launch(dataDir, extra).awaitHealthy();
    }

    /**
     * Writes a deployment file naming the PostgreSQL database {@code database} on
     * {@code 127.0.0.1:port}, as the user {@code user}, with its password in a file of its own.
     *
     * @return the deployment file, for {@code --config}
     */
    static Path writeDeployment(Path dir, int port, String database, String user, String password) {
        try {
            Files.createDirectories(dir);
            Path secret = dir.resolve("store.pass");
            Files.writeString(secret, password + "\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Path file = dir.resolve("deploy.yaml");
            Files.writeString(file, String.join("\n", "store:", "  postgres:", "    host: 127.0.0.1",
                    "    port: " + port, "    database: " + database, "    user: " + user,
                    "    password_file: " + secret, ""));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code /health} answers 200; fails with the broker's output if it exits first. */
    BrokerProcess awaitHealthy() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/health", null).statusCode() == 200) {
                    return this;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("broker exited: " + output());
            }
            pause();
        }
        throw new AssertionError("broker did not become healthy: " + output());
    }

    /** Waits for the broker to exit by itself and returns its exit code. */
    int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("broker still running after " + within + ": " + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    /** Kills the broker with SIGKILL, as a crash or an OOM killer would, and waits until it is gone. */
    void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts the broker again, after it died, with the same command (port, data directory, options). */
    void restart() {
        assertThat(process.isAlive()).as("the broker is still running").isFalse();
        launch();
        awaitHealthy();
    }

    /** Everything the broker printed so far, across restarts. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    String issuer() {
        return issuer;
    }

    @Override
    public void close() {
        if (process != null) {
            kill();
        }
    }

    // requests

    HttpResponse<String> get(String path, String bearer) {
        return send(request(path, bearer).GET());
    }

    HttpResponse<String> post(String path, String bearer) {
        return send(request(path, bearer).POST(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> postJson(String path, String bearer, String json) {
        return send(request(path, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> postForm(String path, String bearer, String form) {
        return send(request(path, bearer).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** The body of {@code response} as JSON, after checking its status. */
    static JsonNode json(HttpResponse<String> response, int expected) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder;
    }

    /** @throws UncheckedIOException when no answer came: nothing listens, the broker died mid-request, a timeout */
    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // scenario steps

    /** The bootstrap admin credential, from this broker's data directory (the broker that created it). */
    String adminToken() {
        try {
            return Files.readString(dataDir.resolve("admin.token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers {@code agent} for the tier {@value #TIER}, as admin. */
    void register(String admin, TestAgent agent) {
        json(postJson("/v1/agents", admin, "{\"agent_id\":\"" + agent.id() + "\",\"owner\":\"alice\","
                + "\"purpose\":\"process tests\",\"tiers\":[\"" + TIER + "\"],\"jwks\":" + agent.publicJwks() + "}"),
                201);
    }

    /** Asks for an agent token with a fresh client assertion ({@code private_key_jwt}). */
    HttpResponse<String> requestAgentToken(TestAgent agent) {
        return postForm("/oauth2/token", null, "grant_type=client_credentials&client_assertion_type="
                + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + agent.assertion(issuer, Instant.now()));
    }

    /** A fresh agent token for {@code agent}. */
    String login(TestAgent agent) {
        return json(requestAgentToken(agent), 200).get("access_token").asText();
    }

    /** Opens a task in {@value #TIER} for an hour and returns its id. */
    String openTask(String agentToken) {
        return json(postJson("/v1/tasks", agentToken, "{\"tier\":\"" + TIER + "\",\"purpose\":\"process test\","
                + "\"scopes\":[\"db:orders:read\"],\"ttl_seconds\":3600}"), 201).get("task_id").asText();
    }

    HttpResponse<String> mint(String agentToken, String taskId) {
        return post("/v1/tasks/" + taskId + "/token", agentToken);
    }

    /** RFC 7662 introspection of {@code token}, as admin. */
    JsonNode introspect(String admin, String token) {
        return json(postForm("/oauth2/introspect", admin,
                "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), 200);
    }

    /** Whether {@code GET /v1/audit/verify} finds the whole hash chain intact. */
    boolean auditChainValid(String admin) {
        return json(get("/v1/audit/verify", admin), 200).get("valid").asBoolean();
    }

    /**
     * The ids ({@code jti}) of every task token and agent token the audit log says was issued,
     * read page by page.
     */
    Set<String> recordedTokenIds(String admin) {
        Set<String> ids = new HashSet<>();
        long after = 0;
        while (true) {
            JsonNode page = json(get("/v1/audit?limit=1000&after=" + after, admin), 200);
            if (page.get("records").isEmpty()) {
                return ids;
            }
            for (JsonNode record : page.get("records")) {
                String action = record.get("action").asText();
                Matcher issued = RECORDED_TOKEN.matcher(record.get("reason").asText());
                if ((action.equals("token.mint") || action.equals("agent.authenticate"))
                        && record.get("decision").asText().equals("allow") && issued.find()) {
                    ids.add(issued.group(1));
                }
            }
            after = page.get("next_after").asLong();
        }
    }

    /** A loopback port nothing listens on now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Between two looks at a broker that is starting: a poll interval, not a wait for time to pass. */
    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
