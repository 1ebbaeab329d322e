package dev.stint.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and malformed requests against the task and agent APIs: each is refused with an RFC 9457
 * problem whose {@code detail} says what to fix without echoing hostile input, and none of them
 * leaves anything behind: no task, no agent, and for input errors not even an audit record.
 */
class RequestValidationTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String INVALID_REQUEST = "urn:stint:problem:invalid-request";
    static final String UNAUTHORIZED = "urn:stint:problem:unauthorized";
    static final String FORBIDDEN = "urn:stint:problem:forbidden";
    static final String TASK_ID_RULE = "task_id must be 1-64 letters, digits, '.', '_' or '-', starting with a letter"
            + " or digit";
    static final String AGENT_ID_RULE = "agent_id must be 1-64 letters, digits, '.', '_' or '-', starting with a"
            + " letter or digit";
    static final String SEGMENT_RULE = " must be 1-64 lower-case letters, digits, '_', '.' or '-'";
    static final String TIERS_DEFINED = " is not defined in the policy; defined: dev, staging, prod";
    /** The id every task body below asks for, unless the row is about the id itself. */
    static final String PROBE_ID = "probe-1";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    TestAgent agent;
    String agentToken;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
        agent = broker.registerAgent("demo-agent", "dev", "staging", "prod");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    // POST /v1/tasks: bodies

    static Stream<Arguments> invalidTaskBodies() {
        return Stream.of(
                row("malformed JSON (truncated)", "{\"task_id\":\"probe-1\",\"tier\":\"dev\"",
                        startingWith("the request body is not valid JSON: ")),
                row("JSON array", "[" + task() + "]", exactly("the request body must be a JSON object")),
                row("JSON null", "null", exactly("the request body must be a JSON object")),
                row("JSON string", "\"db:orders:read\"", exactly("the request body must be a JSON object")),
                row("trailing data after the object", task() + " {\"tier\":\"prod\"}",
                        exactly("the request body has data after the JSON object")),
                row("empty body", "", exactly("the request body is empty; send a JSON object")),
                row("unknown field", task("admin", "true"),
                        exactly("unknown field 'admin'; allowed: purpose, scopes, task_id, tier, ttl_seconds")),
                row("unknown field with a hostile name", task("x'\"\n\u0007", "1"),
                        exactly("unknown field '(unprintable)'; allowed: purpose, scopes, task_id, tier, ttl_seconds")),
                row("duplicate key", task().replace("\"tier\":\"dev\"", "\"tier\":\"dev\",\"tier\":\"prod\""),
                        startingWith("the request body is not valid JSON: it repeats a field (line 1, column ")),
                row("deeply nested arrays in scopes", task("scopes", "[".repeat(40) + "]".repeat(40)),
                        exactly("field 'scopes[0]' has the wrong type")),
                row("ttl_seconds as a string", task("ttl_seconds", "\"60\""),
                        exactly("field 'ttl_seconds' has the wrong type")),
                row("ttl_seconds as a fraction", task("ttl_seconds", "60.5"),
                        exactly("field 'ttl_seconds' has the wrong type")),
                row("ttl_seconds as a boolean", task("ttl_seconds", "true"),
                        exactly("field 'ttl_seconds' has the wrong type")),
                row("ttl_seconds 0", task("ttl_seconds", "0"), exactly("ttl_seconds must be between 1 and 31622400")),
                row("ttl_seconds -1", task("ttl_seconds", "-1"),
                        exactly("ttl_seconds must be between 1 and 31622400")),
                row("ttl_seconds over a year", task("ttl_seconds", "31622401"),
                        exactly("ttl_seconds must be between 1 and 31622400")),
                row("ttl_seconds beyond a long", task("ttl_seconds", "99999999999999999999"),
                        startingWith("the request body is not valid JSON: it is malformed (line 1, column ")),
                row("missing tier", task("tier", null), exactly("tier is required")),
                row("tier null", task("tier", "null"), exactly("tier is required")),
                row("tier PROD (upper case)", task("tier", str("PROD")), exactly("tier (malformed)" + TIERS_DEFINED)),
                row("tier dev;drop", task("tier", str("dev;drop")), exactly("tier (malformed)" + TIERS_DEFINED)),
                row("tier with a newline", task("tier", str("dev\nprod")), exactly("tier (malformed)" + TIERS_DEFINED)),
                row("tier qa (undefined)", task("tier", str("qa")), exactly("tier qa" + TIERS_DEFINED)),
                row("tier as an array", task("tier", "[\"dev\"]"), exactly("field 'tier' has the wrong type")),
                row("missing scopes", task("scopes", null),
                        exactly("scopes is required: at least one <kind>:<resource>:<action>")),
                row("empty scopes", task("scopes", "[]"),
                        exactly("scopes is required: at least one <kind>:<resource>:<action>")),
                row("scopes as a string", task("scopes", str("db:orders:read")),
                        exactly("field 'scopes' has the wrong type")),
                row("33 scopes", task("scopes", IntStream.rangeClosed(1, 33).mapToObj(i -> str("db:t" + i + ":read"))
                        .collect(Collectors.joining(",", "[", "]"))), exactly("at most 32 scopes per task")),
                row("scope db:orders (two segments)", task("scopes", "[\"db:orders\"]"),
                        exactly("scopes[0] is invalid: scope must have the form <kind>:<resource>:<action>")),
                row("scope db:orders:read:extra (four segments)", task("scopes", "[\"db:orders:read:extra\"]"),
                        exactly("scopes[0] is invalid: scope must have the form <kind>:<resource>:<action>")),
                row("scope db:*:read (wildcard)", task("scopes", "[\"db:*:read\"]"),
                        exactly("scopes[0] is invalid: scope resource" + SEGMENT_RULE)),
                row("scope with SQL", task("scopes", "[" + str("db:orders:read'; DROP TABLE tasks;--") + "]"),
                        exactly("scopes[0] is invalid: scope action" + SEGMENT_RULE)),
                row("second scope upper case", task("scopes", "[\"db:orders:read\",\"DB:orders:read\"]"),
                        exactly("scopes[1] is invalid: scope kind" + SEGMENT_RULE)),
                hostileId("task_id ../../etc/passwd", "../../etc/passwd"),
                hostileId("task_id with SQL", "x'; DROP TABLE tasks;--"),
                hostileId("task_id of 65 characters", "a".repeat(65)),
                hostileId("task_id with a space", "a b"),
                hostileId("task_id with a newline", "tsk\n1"),
                hostileId("task_id with unicode letters", "tâche-ü"),
                hostileId("task_id with a right-to-left override", "tsk\u202e1"),
                hostileId("task_id starting with a dash", "-tsk"),
                hostileId("task_id empty", ""),
                row("purpose with a bell character", task("purpose", str("fix\u0007bug")),
                        exactly("purpose contains control or invisible formatting characters")),
                row("purpose with a newline (log forging)", task("purpose", str("ok\n2026-11-24 INFO admin approved")),
                        exactly("purpose contains control or invisible formatting characters")),
                row("purpose with a right-to-left override", task("purpose", str("read \u202eeteled")),
                        exactly("purpose contains control or invisible formatting characters")),
                row("purpose with a zero-width space", task("purpose", str("re\u200bad")),
                        exactly("purpose contains control or invisible formatting characters")),
                row("purpose of 501 characters", task("purpose", str("p".repeat(501))),
                        exactly("purpose is longer than 500 characters")),
                row("missing purpose", task("purpose", null), exactly("purpose is required")),
                row("blank purpose", task("purpose", str("   ")), exactly("purpose is required")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTaskBodies")
    void invalidTaskRequestIsRefusedAndChangesNothing(String name, String body, Detail detail, String taskId) {
        long head = auditHead();

        Response response = broker.postJson("/v1/tasks", body, agentToken);

        assertProblem(response, 400, INVALID_REQUEST, detail);
        assertNoEcho(response, taskId);
        hostileStrings(body).forEach(value -> assertNoEcho(response, value));
        assertThat(auditHead()).as("audit head").isEqualTo(head);
        assertTaskAbsent(taskId);
    }

    @Test
    void duplicateKeyDetailDoesNotEchoAHostileKey() {
        String hostile = "a'\u0007";
        String body = task().replace("{", "{" + str(hostile) + ":1," + str(hostile) + ":2,");

        Response response = broker.postJson("/v1/tasks", body, agentToken);

        assertProblem(response, 400, INVALID_REQUEST, startingWith("the request body is not valid JSON: "));
        assertNoEcho(response, hostile);
    }

    @Test
    void validBodyOpensTheProbeTask() {
        Response response = broker.postJson("/v1/tasks", task(), agentToken);

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(response.text("task_id")).isEqualTo(PROBE_ID);
    }

    // POST /v1/tasks: media type and size

    @ParameterizedTest(name = "Content-Type {0}")
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/xml", "(none)"})
    void nonJsonContentTypeIsUnsupportedMediaType(String contentType) {
        long head = auditHead();

        Response response = broker.postRaw("/v1/tasks", contentType.equals("(none)") ? null : contentType,
                task().getBytes(StandardCharsets.UTF_8), agentToken);

        assertProblem(response, 415, "urn:stint:problem:unsupported-media-type",
                exactly("send the request body as application/json"));
        assertThat(auditHead()).isEqualTo(head);
        assertTaskAbsent(PROBE_ID);
    }

    @Test
    void bodyOfExactly64KiBIsRead() {
        byte[] body = padded(task(), 64 * 1024);

        Response response = broker.postRaw("/v1/tasks", "application/json", body, agentToken);

        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    @Test
    void bodyOneByteOver64KiBIsTooLarge() {
        long head = auditHead();

        Response response = broker.postRaw("/v1/tasks", "application/json", padded(task(), 64 * 1024 + 1), agentToken);

        assertProblem(response, 413, "urn:stint:problem:payload-too-large",
                exactly("the request body is larger than 65536 bytes"));
        assertThat(auditHead()).isEqualTo(head);
        assertTaskAbsent(PROBE_ID);
    }

    @Test
    void chunkedBodyOver64KiBIsTooLarge() throws Exception {
        long head = auditHead();
        byte[] body = padded(task(), 256 * 1024);
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> answer = http11.send(HttpRequest.newBuilder(URI.create(broker.issuer() + "/v1/tasks"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + agentToken)
                // an unknown length makes the client send Transfer-Encoding: chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertProblem(response(answer), 413, "urn:stint:problem:payload-too-large",
                exactly("the request body is larger than 65536 bytes"));
        assertThat(auditHead()).isEqualTo(head);
        assertTaskAbsent(PROBE_ID);
    }

    // POST /v1/tasks: credentials

    static Stream<Arguments> refusedCredentials() {
        return Stream.of(
                credential("no Authorization header", t -> null, 401, UNAUTHORIZED,
                        "send Authorization: Bearer <token>"),
                credential("Basic scheme", t -> "Basic ZGVtby1hZ2VudDpzZWNyZXQ=", 401, UNAUTHORIZED,
                        "the Authorization scheme must be Bearer"),
                credential("garbage bearer", t -> "Bearer garbage", 401, UNAUTHORIZED,
                        "the bearer token is not an agent token; get one at /oauth2/token"),
                credential("unknown agent token", t -> "Bearer stint_at_" + "A".repeat(43), 401, UNAUTHORIZED,
                        "the agent token is not known"),
                credential("guessed admin credential", t -> "Bearer stint_admin_" + "A".repeat(43), 401, UNAUTHORIZED,
                        "the admin credential is not valid"),
                credential("bearer of 600 characters", t -> "Bearer stint_at_" + "A".repeat(591), 401, UNAUTHORIZED,
                        "the bearer token is empty or too long"),
                credential("expired agent token", t -> {
                    t.clock.advance(Duration.ofMinutes(5));
                    return "Bearer " + t.agentToken;
                }, 401, UNAUTHORIZED, "the agent token has expired; get a new one at /oauth2/token"),
                credential("token of a suspended agent", t -> {
                    t.broker.postRaw("/v1/agents/demo-agent/suspend", null, new byte[0], t.broker.adminToken());
                    return "Bearer " + t.agentToken;
                }, 401, UNAUTHORIZED, "the agent token was revoked"),
                credential("admin credential on an agent-only endpoint", t -> "Bearer " + t.broker.adminToken(), 403,
                        FORBIDDEN, "this endpoint needs an agent token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void taskRequestWithRefusedCredentialOpensNothing(String name, Credential credential, int status, String type,
            String detail) {
        String authorization = credential.header(this);
        long head = auditHead();

        Response response = send(request("/v1/tasks", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(task())));

        assertProblem(response, status, type, exactly(detail));
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"stint\"");
        }
        assertTaskAbsent(PROBE_ID);
        assertThat(auditAfter(head)).noneMatch(r -> r.get("action").asText().equals("task.open"));
    }

    /** Promise 7 and the token endpoint's own practice: a presented credential that fails is recorded. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void refusedBearerCredentialIsAuditedAsDeny(String name, Credential credential, int status, String type,
            String detail) {
        String authorization = credential.header(this);
        long head = auditHead();

        send(request("/v1/tasks", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(task())));

        if (authorization != null) {
            assertThat(auditAfter(head)).anySatisfy(record -> {
                assertThat(record.get("decision").asText()).isEqualTo("deny");
                // A refused credential is summed up ("1 refused from T1 to T2: reason"); a refused
                // authenticated caller has its own record.
                assertThat(record.get("reason").asText()).endsWith(status == 401 ? ": " + detail : detail);
            });
        }
    }

    // POST /v1/agents

    static Stream<Arguments> invalidRegistrations() {
        return Stream.of(
                registration("private key in jwks", agentBody("new-agent", keys(ecKey(Curve.P_256).toJSONString())),
                        "jwks holds private key material; register public keys only and keep the private key with"
                                + " the agent"),
                registration("symmetric key in jwks", agentBody("new-agent",
                        keys("{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":\"" + "A".repeat(43) + "\"}")),
                        "keys must be EC (P-256, P-384) or RSA (2048 bits or more); oct keys are refused"),
                registration("Ed25519 key in jwks", agentBody("new-agent", keys("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                        + "\"kid\":\"k1\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}")),
                        "keys must be EC (P-256, P-384) or RSA (2048 bits or more); OKP keys are refused"),
                registration("key without kid", agentBody("new-agent",
                        keys(new ECKey.Builder(ecKey(Curve.P_256).toPublicJWK()).keyID(null).build().toJSONString())),
                        "every key in jwks needs a kid of 1-128 characters"),
                registration("two keys with one kid", agentBody("new-agent",
                        keys(publicKey("k1"), publicKey("k1"))), "jwks has two keys with the same kid"),
                registration("six keys", agentBody("new-agent", keys(publicKey("k1"), publicKey("k2"), publicKey("k3"),
                        publicKey("k4"), publicKey("k5"), publicKey("k6"))), "jwks must hold 1 to 5 keys"),
                registration("no keys", agentBody("new-agent", "{\"keys\":[]}"), "jwks must hold 1 to 5 keys"),
                registration("jwks as a string", agentBody("new-agent", str("{\"keys\":[]}")),
                        "jwks must be a JWK Set {\"keys\": [...]} of public keys, or absent for an agent that"
                                + " signs in only through CI federation"),
                registration("P-521 key", agentBody("new-agent", keys(ecKey(Curve.P_521).toPublicJWK().toJSONString())),
                        "EC keys must be on P-256 or P-384"),
                registration("RSA 1024 key", agentBody("new-agent", keys(rsa1024())),
                        "RSA keys must be at least 2048 bits"),
                registration("encryption key", agentBody("new-agent", keys(new ECKey.Builder(ecKey(Curve.P_256)
                        .toPublicJWK()).keyUse(KeyUse.ENCRYPTION).keyID("k1").build().toJSONString())),
                        "keys in jwks must be signature keys (use: sig)"),
                registration("tier qa (undefined)", agentBody("new-agent", "qa", keys(publicKey("k1"))),
                        "tier qa" + TIERS_DEFINED),
                registration("tier PROD (malformed)", agentBody("new-agent", "PROD", keys(publicKey("k1"))),
                        "tier (malformed)" + TIERS_DEFINED),
                registration("agent_id ../admin", agentBody("../admin", keys(publicKey("k1"))), AGENT_ID_RULE),
                registration("agent_id with SQL", agentBody("x'; DROP TABLE agents;--", keys(publicKey("k1"))),
                        AGENT_ID_RULE),
                registration("agent_id with a newline", agentBody("agent\n1", keys(publicKey("k1"))), AGENT_ID_RULE),
                registration("agent_id with a space", agentBody("a b", keys(publicKey("k1"))), AGENT_ID_RULE),
                registration("agent_id of 65 characters", agentBody("a".repeat(65), keys(publicKey("k1"))),
                        AGENT_ID_RULE),
                registration("agent_id empty", agentBody("", keys(publicKey("k1"))), AGENT_ID_RULE),
                registration("owner with a control character", agentBody("new-agent", keys(publicKey("k1")))
                        .replace("alice@example.com", "alice\\u0000@example.com"),
                        "owner contains control or invisible formatting characters"),
                registration("unknown field status", agentBody("new-agent", keys(publicKey("k1")))
                        .replace("{", "{\"status\":\"active\","),
                        "unknown field 'status'; allowed: agent_id, jwks, owner, purpose, tiers"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRegistrations")
    void invalidRegistrationIsRefusedAndRegistersNothing(String name, String body, String agentId, String detail) {
        long head = auditHead();

        Response response = broker.postJson("/v1/agents", body, broker.adminToken());

        assertProblem(response, 400, INVALID_REQUEST, exactly(detail));
        assertNoEcho(response, agentId);
        assertThat(auditHead()).as("audit head").isEqualTo(head);
        assertAgentAbsent(agentId);
    }

    @Test
    void invalidJwkDetailDoesNotEchoAHostileCurveName() {
        String hostile = "P-256'\u0007";
        String key = "{\"kty\":\"EC\",\"crv\":" + str(hostile) + ",\"kid\":\"k1\",\"x\":\"" + "A".repeat(43)
                + "\",\"y\":\"" + "A".repeat(43) + "\"}";

        Response response = broker.postJson("/v1/agents", agentBody("new-agent", keys(key)), broker.adminToken());

        assertProblem(response, 400, INVALID_REQUEST, startingWith("jwks is not a valid JWK Set: "));
        assertNoEcho(response, hostile);
    }

    @Test
    void duplicateRegistrationConflictsAndKeepsTheRegisteredKey() {
        long head = auditHead();
        TestAgent impostor = TestAgent.generate("demo-agent");

        Response response = broker.postJson("/v1/agents", agentBody("demo-agent", impostor.publicJwks()),
                broker.adminToken());

        assertProblem(response, 409, "urn:stint:problem:agent-exists",
                exactly("agent demo-agent is already registered"));
        assertThat(auditHead()).isEqualTo(head);
        assertThat(broker.get("/v1/agents/demo-agent", broker.adminToken()).json().get("jwks").get("keys").get(0)
                .get("x").asText()).isEqualTo(agent.key().getX().toString());
        assertThat(broker.requestAgentToken(impostor.assertion(broker.issuer(), clock.instant())).status())
                .isEqualTo(401);
    }

    static Stream<Arguments> adminEndpoints() {
        return Stream.of(
                Arguments.of("POST", "/v1/agents", "{}"),
                Arguments.of("GET", "/v1/agents/demo-agent", null),
                Arguments.of("POST", "/v1/agents/demo-agent/suspend", ""),
                Arguments.of("GET", "/v1/audit", null),
                Arguments.of("POST", "/v1/keys/rotate", ""));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("adminEndpoints")
    void agentTokenOnAdminEndpointIsForbiddenAndChangesNothing(String method, String path, String body) {
        String signingKey = broker.get("/health", null).text("signing_key");

        Response response = send(request(path, "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)));

        assertProblem(response, 403, FORBIDDEN, exactly("this endpoint needs the admin credential"));
        assertThat(broker.get("/v1/agents/demo-agent", broker.adminToken()).text("status")).isEqualTo("active");
        assertThat(broker.get("/health", null).text("signing_key")).isEqualTo(signingKey);
        assertThat(broker.postJson("/v1/tasks", task(), agentToken).status()).as("the agent still works")
                .isEqualTo(201);
    }

    // unknown paths

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unknownPaths")
    void unknownPathIsNotFoundProblem(String method, String path) {
        Response response = send(request(path, "Bearer " + agentToken).method(method,
                HttpRequest.BodyPublishers.noBody()));

        assertProblem(response, 404, "urn:stint:problem:not-found", exactly("no such endpoint"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void knownPathWithWrongMethodIsMethodNotAllowedProblem(String method, String path) {
        Response response = send(request(path, "Bearer " + agentToken).method(method,
                HttpRequest.BodyPublishers.noBody()));

        assertProblem(response, 405, "urn:stint:problem:method-not-allowed",
                exactly("this endpoint does not take that method"));
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("GET", "/v1/tasks"),
                Arguments.of("GET", "/v1/agents"),
                Arguments.of("POST", "/health"),
                Arguments.of("DELETE", "/v1/tasks/probe-1"));
    }

    static Stream<Arguments> unknownPaths() {
        return Stream.of(
                Arguments.of("GET", "/"),
                Arguments.of("GET", "/v1/nope"),
                Arguments.of("POST", "/v1/tasks/probe-1/extend"),
                Arguments.of("GET", "/%2e%2e/%2e%2e/etc/passwd"),
                Arguments.of("GET", "/v2/tasks"));
    }

    // rows

    /** A detail to match exactly, or, where a library's wording shows through, by its stable start. */
    record Detail(String text, boolean prefix) {
        @Override
        public String toString() {
            return (prefix ? "starts with " : "") + text;
        }
    }

    static Detail exactly(String text) {
        return new Detail(text, false);
    }

    static Detail startingWith(String text) {
        return new Detail(text, true);
    }

    private static Arguments row(String name, String body, Detail detail) {
        return Arguments.of(name, body, detail, PROBE_ID);
    }

    private static Arguments hostileId(String name, String taskId) {
        return Arguments.of(name, task("task_id", str(taskId)), exactly(TASK_ID_RULE), taskId);
    }

    @FunctionalInterface
    interface Credential {
        /** The Authorization header to send, or null for none; may first change the broker's state. */
        String header(RequestValidationTest t);
    }

    private static Arguments credential(String name, Credential credential, int status, String type, String detail) {
        return Arguments.of(name, credential, status, type, detail);
    }

    private static Arguments registration(String name, String body, String detail) {
        String agentId;
        try {
            JsonNode id = JSON.readTree(body).get("agent_id");
            agentId = id == null ? "new-agent" : id.asText();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return Arguments.of(name, body, agentId, detail);
    }

    /** A valid task body for {@link #PROBE_ID}; pairs of field and raw JSON replace fields (null removes one). */
    static String task(String... overrides) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("task_id", str(PROBE_ID));
        fields.put("tier", str("dev"));
        fields.put("purpose", str("nightly orders report"));
        fields.put("scopes", "[\"db:orders:read\"]");
        fields.put("ttl_seconds", "600");
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                fields.remove(overrides[i]);
            } else {
                fields.put(overrides[i], overrides[i + 1]);
            }
        }
        return fields.entrySet().stream().map(e -> str(e.getKey()) + ":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    static String agentBody(String agentId, String jwks) {
        return agentBody(agentId, "dev", jwks);
    }

    static String agentBody(String agentId, String tier, String jwks) {
        return "{\"agent_id\":" + str(agentId) + ",\"owner\":\"alice@example.com\",\"purpose\":\"tests\","
                + "\"tiers\":[" + str(tier) + "]" + (jwks == null ? "" : ",\"jwks\":" + jwks) + "}";
    }

    static String keys(String... jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }

    static String publicKey(String kid) {
        return new ECKey.Builder(ecKey(Curve.P_256).toPublicJWK()).keyID(kid).build().toJSONString();
    }

    static ECKey ecKey(Curve curve) {
        try {
            return new ECKeyGenerator(curve).keyID("k1").generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String rsa1024() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(1024);
            return new RSAKey.Builder((RSAPublicKey) generator.generateKeyPair().getPublic()).keyID("k1").build()
                    .toJSONString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String str(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** {@code json} followed by spaces up to exactly {@code size} bytes: still one valid JSON object. */
    static byte[] padded(String json, int size) {
        byte[] body = new byte[size];
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, body, 0, head.length);
        java.util.Arrays.fill(body, head.length, size, (byte) ' ');
        return body;
    }

    // assertions

    /** RFC 9457: problem+json with a urn:stint:problem type, a title, the HTTP status and an actionable detail. */
    static void assertProblem(Response response, int status, String type, Detail detail) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = response.json();
        assertThat(body.get("type").asText()).startsWith("urn:stint:problem:").isEqualTo(type);
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(body.get("status").isInt()).as("status is a JSON number").isTrue();
        assertThat(body.get("status").asInt()).isEqualTo(status);
        String text = body.get("detail").asText();
        if (detail.prefix()) {
            assertThat(text).startsWith(detail.text());
        } else {
            assertThat(text).isEqualTo(detail.text());
        }
        assertThat(text.codePoints()).as("no control characters in detail")
                .noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
    }

    /** A hostile value holding quotes or control characters never comes back verbatim. */
    static void assertNoEcho(Response response, String input) {
        if (input != null && input.length() > 1 && input.codePoints()
                .anyMatch(c -> c == '\'' || c == '"' || Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            assertThat(response.json().get("detail").asText()).doesNotContain(input);
        }
    }

    /** Every field name and string value of a body that parses; none for one that does not. */
    static List<String> hostileStrings(String body) {
        List<String> out = new ArrayList<>();
        try {
            collect(JSON.readTree(body), out);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // a malformed body has no values to collect
        }
        return out;
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.fieldNames().forEachRemaining(out::add);
        node.forEach(child -> collect(child, out));
    }

    private void assertTaskAbsent(String taskId) {
        Response response = broker.get("/v1/tasks/" + URLEncoder.encode(taskId, StandardCharsets.UTF_8)
                .replace("+", "%20"), broker.adminToken());
        if (taskId.isEmpty()) {
            // GET /v1/tasks/ names the collection, which only takes POST.
            assertThat(response.status()).isIn(404, 405);
            return;
        }
        assertThat(response.status()).as(taskId + ": " + response.body()).isIn(400, 404);
        if (response.status() == 404) {
            assertThat(response.text("type")).isEqualTo("urn:stint:problem:task-not-found");
        }
    }

    private void assertAgentAbsent(String agentId) {
        Response response = broker.get("/v1/agents/" + URLEncoder.encode(agentId, StandardCharsets.UTF_8)
                .replace("+", "%20"), broker.adminToken());
        assertThat(response.status()).as(agentId + ": " + response.body())
                .isIn(agentId.isEmpty() ? new Integer[] {404, 405} : new Integer[] {400, 404});
        if (response.status() == 404 && !agentId.isEmpty()) {
            assertThat(response.text("type")).isEqualTo("urn:stint:problem:agent-not-found");
        }
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

    // raw requests (headers the harness does not send)

    private HttpRequest.Builder request(String path, String authorization) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(broker.issuer() + path))
                .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private static Response send(HttpRequest.Builder builder) {
        try {
            return response(HttpClient.newHttpClient().send(builder.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    private static Response response(HttpResponse<String> answer) {
        return new Response(answer.statusCode(), answer.headers().firstValue("Content-Type").orElse(""),
                answer.body(), answer.headers());
    }
}
