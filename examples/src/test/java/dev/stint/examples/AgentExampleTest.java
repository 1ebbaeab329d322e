package dev.stint.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.stint.examples.AgentExample.Keygen;
import dev.stint.examples.AgentExample.Run;
import dev.stint.examples.AgentExample.UsageException;
import dev.stint.sdk.AgentKeys;
import dev.stint.token.Scope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AgentExampleTest {

    private static final Instant NOW = Instant.parse("2026-11-24T23:00:00Z");
    /** Task tsk_1 as the broker describes it; %s is its status. */
    private static final String TASK_JSON = "{\"task_id\":\"tsk_1\",\"agent_id\":\"orders-bot\",\"tier\":\"dev\","
            + "\"purpose\":\"p\",\"scopes\":[\"db:orders:read\"],\"deadline\":\"2026-11-24T23:10:00Z\","
            + "\"status\":\"%s\",\"opened_at\":\"2026-11-24T23:00:00Z\"}";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private AgentExample example(Map<String, String> env) {
        return new AgentExample(env, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runUsesDefaultsWhenOnlyAgentIsGiven() throws Exception {
        Run run = (Run) AgentExample.parse(new String[] {"run", "--agent", "orders-bot"}, Map.of());

        assertThat(run.url()).isEqualTo(URI.create("http://127.0.0.1:8400"));
        assertThat(run.agent().value()).isEqualTo("orders-bot");
        assertThat(run.keyFile()).isEqualTo(Path.of("agent.jwk"));
        assertThat(run.tier().name()).isEqualTo("dev");
        assertThat(run.scopes()).containsExactly(Scope.parse("db:orders:read"));
        assertThat(run.ttl()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void runReadsEnvironment() throws Exception {
        Run run = (Run) AgentExample.parse(new String[] {"run"}, Map.of("STINT_URL", "http://broker:9000",
                "STINT_AGENT_ID", "ci-bot", "STINT_AGENT_KEY", "/keys/ci.jwk"));

        assertThat(run.url()).isEqualTo(URI.create("http://broker:9000"));
        assertThat(run.agent().value()).isEqualTo("ci-bot");
        assertThat(run.keyFile()).isEqualTo(Path.of("/keys/ci.jwk"));
    }

    @Test
    void argumentsOverrideEnvironment() throws Exception {
        Run run = (Run) AgentExample.parse(new String[] {"run", "--url", "http://other:1", "--agent", "b2"},
                Map.of("STINT_URL", "http://broker:9000", "STINT_AGENT_ID", "ci-bot"));

        assertThat(run.url()).isEqualTo(URI.create("http://other:1"));
        assertThat(run.agent().value()).isEqualTo("b2");
    }

    @Test
    void runAcceptsTierScopesPurposeAndTtl() throws Exception {
        Run run = (Run) AgentExample.parse(new String[] {"run", "--agent", "a", "--tier", "staging",
                "--scope", "db:orders:read", "--scope", "db:users:read", "--purpose", "audit", "--ttl", "90s"},
                Map.of());

        assertThat(run.tier().name()).isEqualTo("staging");
        assertThat(run.scopes()).containsExactly(Scope.parse("db:orders:read"), Scope.parse("db:users:read"));
        assertThat(run.purpose()).isEqualTo("audit");
        assertThat(run.ttl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void ttlAcceptsSecondsMinutesAndHours() throws Exception {
        assertThat(AgentExample.parseTtl("600")).isEqualTo(Duration.ofSeconds(600));
        assertThat(AgentExample.parseTtl("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(AgentExample.parseTtl("1h")).isEqualTo(Duration.ofHours(1));
    }

    record BadArgs(String name, String[] args, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<BadArgs> badArguments() {
        return List.of(
                new BadArgs("no command", new String[] {}, "missing command: keygen or run"),
                new BadArgs("unknown command", new String[] {"deploy"}, "unknown command 'deploy': use keygen or run"),
                new BadArgs("keygen without dir", new String[] {"keygen"},
                        "keygen needs exactly one argument: the directory for agent.jwk"),
                new BadArgs("no agent", new String[] {"run"}, "agent id missing: pass --agent ID or set STINT_AGENT_ID"),
                new BadArgs("option without value", new String[] {"run", "--agent"}, "option --agent needs a value"),
                new BadArgs("unknown option", new String[] {"run", "--agent", "a", "--force", "x"},
                        "unknown option --force"),
                new BadArgs("zero ttl", new String[] {"run", "--agent", "a", "--ttl", "0"},
                        "ttl must be a positive number of seconds, or like 90s, 10m, 1h; got '0'"),
                new BadArgs("ttl in days", new String[] {"run", "--agent", "a", "--ttl", "2d"},
                        "ttl must be a positive number of seconds, or like 90s, 10m, 1h; got '2d'"),
                new BadArgs("bad scope", new String[] {"run", "--agent", "a", "--scope", "orders"},
                        "scope must have the form <kind>:<resource>:<action>"),
                new BadArgs("bad url", new String[] {"run", "--agent", "a", "--url", "ftp://x"},
                        "broker URL must be http(s)://HOST:PORT, got 'ftp://x'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void badArgumentsAreUsageErrors(BadArgs row) {
        assertThatThrownBy(() -> AgentExample.parse(row.args(), Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessage(row.message());
    }

    @Test
    void badArgumentsExitWithStatusTwo() {
        assertThat(example(Map.of()).run(new String[] {"run"})).isEqualTo(2);
        assertThat(err()).contains("agent id missing").contains("usage:");
    }

    @Test
    void keygenParsesDirectory() throws Exception {
        assertThat(AgentExample.parse(new String[] {"keygen", "keys"}, Map.of())).isEqualTo(new Keygen(Path.of("keys")));
    }

    @Test
    void keygenWritesPrivateKeyReadableOnlyByOwner() throws Exception {
        int status = example(Map.of()).run(new String[] {"keygen", dir.resolve("keys").toString()});

        Path file = dir.resolve("keys").resolve("agent.jwk");
        assertThat(status).isZero();
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void keygenPrintsPublicJwksWithoutPrivatePart() throws Exception {
        example(Map.of()).run(new String[] {"keygen", dir.toString()});

        JsonNode jwks = new ObjectMapper().readTree(out());
        ECKey written = AgentKeys.load(dir.resolve("agent.jwk"));
        assertThat(jwks.get("keys")).hasSize(1);
        assertThat(jwks.get("keys").get(0).has("d")).isFalse();
        assertThat(JWK.parse(jwks.get("keys").get(0).toString())).isEqualTo(written.toPublicJWK());
    }

    @Test
    void keygenRefusesToOverwriteExistingKey() throws Exception {
        example(Map.of()).run(new String[] {"keygen", dir.toString()});
        String before = Files.readString(dir.resolve("agent.jwk"));

        int status = example(Map.of()).run(new String[] {"keygen", dir.toString()});

        assertThat(status).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("agent.jwk"))).isEqualTo(before);
    }

    @Test
    void runOpensTaskUsesCachedTokenEndsTaskAndShowsRefusal() throws Exception {
        // A task token as the broker mints it: a signed JWT whose claims match the answer around it.
        String token = b64("{\"alg\":\"ES256\",\"typ\":\"JWT\"}") + "." + b64("{\"aud\":\"urn:stint:tier:dev\","
                + "\"exp\":1795561500,\"task_id\":\"tsk_1\",\"tier\":\"dev\"}") + ".example-signature";
        WireMockServer broker = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1));
        broker.start();
        try {
            String base = "http://127.0.0.1:" + broker.port();
            stubBroker(broker, base, token);
            Path key = dir.resolve("agent.jwk");
            AgentKeys.writePrivate(AgentKeys.generate(), key);

            int status = example(Map.of("STINT_URL", base)).run(
                    new String[] {"run", "--agent", "orders-bot", "--key", key.toString()});

            assertThat(status).as(err()).isZero();
            assertThat(out()).contains("opened task  tsk_1 as orders-bot in tier dev with db:orders:read")
                    .contains("deadline     2026-11-24T23:10:00Z")
                    .contains("(fetched from the broker)")
                    .contains("(same token, served from the cache)")
                    .contains("ended task   tsk_1 (broker reports it ended)")
                    .contains("token() now  refused by the Stint client: task tsk_1 was ended by this session; "
                            + "open a new task")
                    .doesNotContain(token);
            assertThat(broker.findAll(postRequestedFor(urlEqualTo("/v1/tasks/tsk_1/token")))).hasSize(1);
            assertThat(broker.findAll(postRequestedFor(urlEqualTo("/v1/tasks/tsk_1/end")))).hasSize(1);
        } finally {
            broker.stop();
        }
    }

    @Test
    void helpExplainsThatUrlIsTheBrokersIssuer() {
        int status = example(Map.of()).run(new String[] {"help"});

        assertThat(status).isZero();
        assertThat(out()).contains("  --url URL       the broker's issuer, exactly as its metadata names it\n")
                .contains("default http://127.0.0.1:8400, env STINT_URL. http://localhost:N is\n"
                        + "                  not the same issuer as http://127.0.0.1:N");
    }

    @Test
    void urlThatIsNotTheIssuerSaysWhichUrlToPass() throws Exception {
        WireMockServer broker = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1));
        broker.start();
        try {
            // The broker calls itself 127.0.0.1; the user typed localhost, which reaches the same socket.
            String issuer = "http://127.0.0.1:" + broker.port();
            String typed = "http://localhost:" + broker.port();
            stubBroker(broker, issuer, "unused");
            Path key = dir.resolve("agent.jwk");
            AgentKeys.writePrivate(AgentKeys.generate(), key);

            int status = example(Map.of()).run(new String[] {"run", "--url", typed, "--agent", "orders-bot",
                    "--key", key.toString()});

            assertThat(status).isEqualTo(2);
            assertThat(err()).isEqualTo("error: the broker's issuer is " + issuer + " but you connected to " + typed
                    + "; pass --url " + issuer + " (the issuer exactly)" + System.lineSeparator());
            assertThat(broker.findAll(postRequestedFor(urlEqualTo("/oauth2/token")))).isEmpty();
        } finally {
            broker.stop();
        }
    }

    @Test
    void urlWhereNothingListensSuggestsPassingTheIssuer() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + freePort;
        Path key = dir.resolve("agent.jwk");
        AgentKeys.writePrivate(AgentKeys.generate(), key);

        int status = example(Map.of("STINT_URL", url)).run(new String[] {"run", "--agent", "orders-bot",
                "--key", key.toString()});

        assertThat(status).isEqualTo(1);
        assertThat(err()).startsWith("broker unavailable: authorization server metadata request failed: no usable "
                        + "answer from " + url + "/.well-known/oauth-authorization-server")
                .endsWith("nothing listens at " + url + ": is the broker running? If it listens elsewhere "
                        + "(./stint broker --port N), pass --url with its issuer, e.g. --url http://127.0.0.1:N"
                        + System.lineSeparator());
    }

    @Test
    void brokerRefusalIsReportedAsTheBrokers() throws Exception {
        WireMockServer broker = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1));
        broker.start();
        try {
            String base = "http://127.0.0.1:" + broker.port();
            stubBroker(broker, base, "unused");
            broker.stubFor(post(urlEqualTo("/v1/tasks")).willReturn(aResponse().withStatus(403)
                    .withHeader("Content-Type", "application/problem+json")
                    .withBody("{\"type\":\"urn:stint:problem:policy-denied\",\"title\":\"Forbidden\","
                            + "\"status\":403,\"detail\":\"no grant for db:orders:ddl in tier dev\"}")));
            Path key = dir.resolve("agent.jwk");
            AgentKeys.writePrivate(AgentKeys.generate(), key);

            int status = example(Map.of()).run(new String[] {"run", "--url", base, "--agent", "orders-bot",
                    "--key", key.toString(), "--scope", "db:orders:ddl"});

            assertThat(status).isEqualTo(1);
            assertThat(err()).isEqualTo("refused by the broker: task open request (tier dev) rejected: no grant "
                    + "for db:orders:ddl in tier dev (HTTP 403, urn:stint:problem:policy-denied)"
                    + System.lineSeparator());
        } finally {
            broker.stop();
        }
    }

    @Test
    void taskAwaitingApprovalIsReportedAndEnded() throws Exception {
        WireMockServer broker = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1));
        broker.start();
        try {
            String base = "http://127.0.0.1:" + broker.port();
            stubBroker(broker, base, "unused");
            broker.stubFor(post(urlEqualTo("/v1/tasks"))
                    .willReturn(json(201, String.format(TASK_JSON, "pending_approval"))));
            Path key = dir.resolve("agent.jwk");
            AgentKeys.writePrivate(AgentKeys.generate(), key);

            int status = example(Map.of()).run(new String[] {"run", "--url", base, "--agent", "orders-bot",
                    "--key", key.toString()});

            assertThat(status).isEqualTo(1);
            assertThat(err()).isEqualTo("task tsk_1 awaits approval: its scopes need people's consent at the"
                    + " broker's /ui/approvals; this example does not wait, and ended the task"
                    + System.lineSeparator());
            broker.verify(postRequestedFor(urlEqualTo("/v1/tasks/tsk_1/end")));
        } finally {
            broker.stop();
        }
    }

    private static void stubBroker(WireMockServer broker, String base, String token) {
        broker.stubFor(get(urlEqualTo("/.well-known/oauth-authorization-server")).willReturn(json(200,
                "{\"issuer\":\"" + base + "\",\"token_endpoint\":\"" + base + "/oauth2/token\"}")));
        broker.stubFor(post(urlEqualTo("/oauth2/token")).willReturn(json(200,
                "{\"access_token\":\"agent-token\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
        broker.stubFor(post(urlEqualTo("/v1/tasks")).willReturn(json(201, String.format(TASK_JSON, "active"))));
        broker.stubFor(post(urlEqualTo("/v1/tasks/tsk_1/token")).willReturn(json(200,
                "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                        + "\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_1\",\"tier\":\"dev\","
                        + "\"audience\":\"urn:stint:tier:dev\",\"scope\":\"db:orders:read\"}")));
        broker.stubFor(post(urlEqualTo("/v1/tasks/tsk_1/end"))
                .willReturn(json(200, String.format(TASK_JSON, "ended"))));
        broker.stubFor(get(urlMatching("/v1/tasks/tsk_1")).willReturn(json(200, String.format(TASK_JSON, "ended"))));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }
}
