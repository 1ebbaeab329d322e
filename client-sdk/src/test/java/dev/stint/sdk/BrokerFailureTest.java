package dev.stint.sdk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.stint.sdk.BrokerStub.DEV;
import static dev.stint.sdk.BrokerStub.ORDERS_READ;
import static dev.stint.sdk.BrokerStub.T0;
import static dev.stint.sdk.BrokerStub.json;
import static dev.stint.sdk.BrokerStub.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A broker that refuses gives {@link BrokerRejectedException}; a broker that is down, slow or
 * answers garbage gives {@link BrokerUnavailableException}. Never one for the other.
 */
class BrokerFailureTest {

    private static final String TASK = "tsk_a";
    private static final String SECRET = "tok-secret-value";
    private static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
    private static final String MINT = "task token request for task tsk_a failed: ";
    private static final String GARBAGE = MINT + "the broker answered garbage: ";

    private BrokerStub broker;

    @BeforeEach
    void startBroker() {
        broker = new BrokerStub().standard();
        broker.task(TASK, DEV, DEADLINE);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    /** A named broker answer and the exact message the caller must see. */
    record Row(String name, ResponseDefinitionBuilder answer, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static ResponseDefinitionBuilder mint(String fields) {
        return json(200, "{" + fields + "}");
    }

    static final String GOOD_FIELDS = "\"token_type\":\"Bearer\",\"expires_in\":300,"
            + "\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_a\",\"tier\":\"dev\"";

    static Stream<Row> garbageTokenAnswers() {
        return Stream.of(
                new Row("plain text", aResponse().withStatus(200).withHeader("Content-Type", "text/plain")
                        .withBody(SECRET), GARBAGE + "the body is not valid JSON (line 1, column 1)"),
                new Row("HTML page", aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                        .withBody("<html><body>" + SECRET + "</body></html>"),
                        GARBAGE + "the body is not valid JSON (line 1, column 1)"),
                new Row("empty body", aResponse().withStatus(200), GARBAGE + "the body is empty"),
                new Row("JSON array", json(200, "[\"" + SECRET + "\"]"), GARBAGE + "the body is not a JSON object"),
                new Row("JSON null", json(200, "null"), GARBAGE + "the body is not a JSON object"),
                new Row("truncated JSON", json(200, "{\"access_token\":\"" + SECRET),
                        GARBAGE + "the body is not valid JSON (line 1, column 34)"),
                new Row("trailing content", json(200, "{\"access_token\":\"" + SECRET + "\"," + GOOD_FIELDS + "} x"),
                        GARBAGE + "the body is not valid JSON (line 1, column 143)"),
                new Row("duplicate access_token", json(200, "{\"access_token\":\"a\",\"access_token\":\"" + SECRET
                        + "\"," + GOOD_FIELDS + "}"), GARBAGE + "the body is not valid JSON (line 1, column 35)"),
                new Row("missing access_token", mint(GOOD_FIELDS),
                        GARBAGE + "field 'access_token' is missing or not a non-empty string"),
                new Row("access_token is a number", mint("\"access_token\":42," + GOOD_FIELDS),
                        GARBAGE + "field 'access_token' is missing or not a non-empty string"),
                new Row("token_type is not Bearer", mint("\"access_token\":\"" + SECRET + "\",\"token_type\":\"MAC\","
                        + "\"expires_in\":300,\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_a\","
                        + "\"tier\":\"dev\""), GARBAGE + "field 'token_type' is not Bearer"),
                new Row("expires_in is a string", mint("\"access_token\":\"" + SECRET + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":\"300\",\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_a\","
                        + "\"tier\":\"dev\""), GARBAGE + "field 'expires_in' is missing or not a positive integer"),
                new Row("expires_in is negative", mint("\"access_token\":\"" + SECRET + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":-1,\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_a\","
                        + "\"tier\":\"dev\""), GARBAGE + "field 'expires_in' is missing or not a positive integer"),
                new Row("expires_at is not a time", mint("\"access_token\":\"" + SECRET + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"expires_at\":\"tomorrow\",\"task_id\":\"tsk_a\",\"tier\":\"dev\""),
                        GARBAGE + "field 'expires_at' is not an RFC 3339 instant"),
                new Row("token for another task", mint("\"access_token\":\"" + SECRET + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_b\","
                        + "\"tier\":\"dev\""), GARBAGE + "the token is for task tsk_b, not tsk_a"),
                new Row("token for another tier", mint("\"access_token\":\"" + SECRET + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"expires_at\":\"2026-11-24T23:05:00Z\",\"task_id\":\"tsk_a\","
                        + "\"tier\":\"prod\""), GARBAGE + "the token is for tier prod, not dev"),
                new Row("404 HTML page from a proxy", aResponse().withStatus(404).withHeader("Content-Type", "text/html")
                        .withBody("<html>Not Found</html>"), MINT + "the broker answered HTTP 404 without a problem "
                        + "document; is the base URI a Stint broker?"),
                new Row("401 with empty body twice", aResponse().withStatus(401), MINT + "the broker answered HTTP 401 "
                        + "without a problem document; is the base URI a Stint broker?"),
                new Row("body over 64 KiB", json(200, "{\"access_token\":\"" + "x".repeat(70_000) + "\"}"),
                        GARBAGE + "the body is larger than 65536 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageTokenAnswers")
    void garbageTokenAnswerIsUnavailable(Row row) throws Exception {
        broker.answerMint(TASK, row.answer());
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(session::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(row.message())
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void tokenForAnotherAudienceIsGarbage() throws Exception {
        broker.answerMint(TASK, mint("\"access_token\":\"" + SECRET + "\"," + GOOD_FIELDS
                + ",\"audience\":\"billing-db\""));
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(() -> session.token("orders-db"))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(GARBAGE + "the token is for another audience than the one requested");
    }

    private static final String DEFAULT_AUDIENCE = "urn:stint:tier:dev";
    private static final Instant EXPIRES_AT = Instant.parse("2026-11-24T23:05:00Z");

    /** A mint answer carrying a signed token: {@code edit} changes its claims, {@code audience} is the field. */
    static ResponseDefinitionBuilder signedMint(String audience, Consumer<Map<String, Object>> edit) {
        return signedMint(audience, EXPIRES_AT, edit);
    }

    static ResponseDefinitionBuilder signedMint(String audience, Instant expiresAt,
            Consumer<Map<String, Object>> edit) {
        Map<String, Object> claims = BrokerStub.taskClaims(SECRET, TASK, DEV, DEFAULT_AUDIENCE, expiresAt);
        edit.accept(claims);
        return json(200, BrokerStub.tokenAnswer(BrokerStub.signedToken(claims), 300, expiresAt, TASK, DEV, audience));
    }

    /** A mint answer whose token is three dot-separated parts built from the given texts. */
    static ResponseDefinitionBuilder rawTokenMint(String header, String payload, String signature) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String token = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + signature;
        return json(200, BrokerStub.tokenAnswer(token, 300, EXPIRES_AT, TASK, DEV, DEFAULT_AUDIENCE));
    }

    /** A named broker answer to a request for {@code requested} (null: the default audience). */
    record AudienceRow(String name, String requested, ResponseDefinitionBuilder answer, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<AudienceRow> unconfirmedAudiences() {
        String other = GARBAGE + "the token is for another audience than the one requested";
        String missing = GARBAGE + "field 'audience' is missing or not a non-empty string";
        return Stream.of(
                new AudienceRow("default asked, audience missing", null, signedMint(null, c -> { }), missing),
                new AudienceRow("named audience asked, audience missing", "orders-db",
                        signedMint(null, c -> c.put("aud", "orders-db")), missing),
                new AudienceRow("default asked, audience empty", null, signedMint("", c -> { }), missing),
                new AudienceRow("default asked, another tier's default answered", null,
                        signedMint("urn:stint:tier:prod", c -> c.put("aud", "urn:stint:tier:prod")), other),
                new AudienceRow("default asked, a named audience answered", null,
                        signedMint("orders-db", c -> c.put("aud", "orders-db")), other),
                new AudienceRow("named audience asked, the default answered", "orders-db",
                        signedMint(DEFAULT_AUDIENCE, c -> { }), other));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unconfirmedAudiences")
    void tokenNotConfirmedForRequestedAudienceIsUnavailable(AudienceRow row) throws Exception {
        broker.answerMint(TASK, row.answer());
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(() -> {
            if (row.requested() == null) {
                session.token();
            } else {
                session.token(row.requested());
            }
        })
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(row.message());
    }

    static Stream<Row> tokensContradictingTheirAnswer() {
        String notJwt = GARBAGE + "field 'access_token' is not a signed JWT";
        String es256 = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
        String claims = "{\"aud\":\"urn:stint:tier:dev\",\"exp\":" + EXPIRES_AT.getEpochSecond()
                + ",\"task_id\":\"tsk_a\",\"tier\":\"dev\"}";
        String taskId = GARBAGE + "claim 'task_id' of the token is missing or not tsk_a";
        String tier = GARBAGE + "claim 'tier' of the token is missing or not dev";
        String aud = GARBAGE + "claim 'aud' of the token is not the requested audience";
        String exp = GARBAGE + "claim 'exp' of the token is missing or not expires_at (2026-11-24T23:05:00Z)";
        return Stream.of(
                new Row("opaque token", json(200, BrokerStub.tokenAnswer(SECRET, 300, EXPIRES_AT, TASK, DEV,
                        DEFAULT_AUDIENCE)), notJwt),
                new Row("unsigned JWT (alg none)", rawTokenMint("{\"alg\":\"none\"}", claims, "c2ln"), notJwt),
                new Row("JWT without signature", rawTokenMint(es256, claims, ""), notJwt),
                new Row("JWT with four parts", rawTokenMint(es256, claims, "c2ln.c2ln"), notJwt),
                new Row("header is not JSON", rawTokenMint("ES256", claims, "c2ln"), notJwt),
                new Row("payload is not JSON", rawTokenMint(es256, "task tsk_a", "c2ln"), notJwt),
                new Row("payload is a JSON array", rawTokenMint(es256, "[" + claims + "]", "c2ln"), notJwt),
                new Row("payload names task_id twice", rawTokenMint(es256,
                        claims.replace("}", ",\"task_id\":\"tsk_b\"}"), "c2ln"), notJwt),
                new Row("claim task_id of another task", signedMint(DEFAULT_AUDIENCE, c -> c.put("task_id", "tsk_b")),
                        taskId),
                new Row("claim task_id missing", signedMint(DEFAULT_AUDIENCE, c -> c.remove("task_id")), taskId),
                new Row("claim tier of another tier", signedMint(DEFAULT_AUDIENCE, c -> c.put("tier", "prod")), tier),
                new Row("claim tier missing", signedMint(DEFAULT_AUDIENCE, c -> c.remove("tier")), tier),
                new Row("claim aud of another audience", signedMint(DEFAULT_AUDIENCE, c -> c.put("aud", "orders-db")),
                        aud),
                new Row("claim aud with a second audience", signedMint(DEFAULT_AUDIENCE,
                        c -> c.put("aud", List.of(DEFAULT_AUDIENCE, "orders-db"))), aud),
                new Row("claim aud missing", signedMint(DEFAULT_AUDIENCE, c -> c.remove("aud")), aud),
                new Row("claim exp later than expires_at", signedMint(DEFAULT_AUDIENCE,
                        c -> c.put("exp", EXPIRES_AT.getEpochSecond() + 60)), exp),
                new Row("claim exp earlier than expires_at", signedMint(DEFAULT_AUDIENCE,
                        c -> c.put("exp", EXPIRES_AT.getEpochSecond() - 60)), exp),
                new Row("claim exp is a string", signedMint(DEFAULT_AUDIENCE,
                        c -> c.put("exp", Long.toString(EXPIRES_AT.getEpochSecond()))), exp),
                new Row("claim exp missing", signedMint(DEFAULT_AUDIENCE, c -> c.remove("exp")), exp),
                new Row("token outliving the task deadline", signedMint(DEFAULT_AUDIENCE,
                        DEADLINE.plusSeconds(60), c -> { }), GARBAGE + "the token expires at 2026-11-25T00:01:00Z, "
                        + "after the task deadline 2026-11-25T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokensContradictingTheirAnswer")
    void tokenContradictingItsAnswerIsUnavailable(Row row) throws Exception {
        broker.answerMint(TASK, row.answer());
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(session::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(row.message())
                .hasMessageNotContaining(SECRET)
                .hasMessageNotContaining("eyJ");
    }

    @Test
    void garbageTokenAnswerLeavesSessionAlive() throws Exception {
        broker.answerMint(TASK, json(200, "not json"));
        TaskSession session = broker.open(broker.client(), TASK, DEV);
        assertThatThrownBy(session::token).isInstanceOf(BrokerUnavailableException.class);
        broker.mints(TASK, DEV, "tok-a-1", 300);

        assertThat(session.token().value()).isEqualTo(broker.minted("tok-a-1"));
    }

    static Stream<Row> brokenBrokerAnswers() {
        return Stream.of(
                new Row("503 store down", problem(503, "urn:stint:problem:store-unavailable", "task store is down"),
                        MINT + "the broker is unavailable (HTTP 503): task store is down"),
                new Row("500 bug", problem(500, "urn:stint:problem:internal", "internal error"),
                        MINT + "the broker is unavailable (HTTP 500): internal error"),
                new Row("502 HTML from a proxy", aResponse().withStatus(502).withBody("<html>Bad Gateway</html>"),
                        MINT + "the broker is unavailable (HTTP 502)"),
                new Row("429 too many requests", problem(429, "urn:stint:problem:rate-limited", "slow down"),
                        MINT + "the broker is unavailable (HTTP 429): slow down"),
                new Row("302 redirect", aResponse().withStatus(302).withHeader("Location", "http://elsewhere/"),
                        MINT + "the broker is unavailable (HTTP 302)"));
    }

    /** Network faults: the exception class and text after the prefix come from the JDK. */
    static Stream<Row> networkFaults() {
        String prefix = MINT + "no usable answer from http://127.0.0.1:";
        return Stream.of(
                new Row("connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), prefix),
                new Row("connection closed without answer", aResponse().withFault(Fault.EMPTY_RESPONSE), prefix),
                new Row("garbage bytes instead of HTTP", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE), prefix),
                new Row("body cut short", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK), prefix));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networkFaults")
    void networkFaultIsUnavailable(Row row) throws Exception {
        broker.answerMint(TASK, row.answer());
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(session::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageStartingWith(row.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenBrokerAnswers")
    void brokenBrokerIsUnavailableNotRejected(Row row) throws Exception {
        broker.answerMint(TASK, row.answer());
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(session::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(row.message());
    }

    @Test
    void slowBrokerBeyondTimeoutIsUnavailable() throws Exception {
        // Warm up first (class loading, the first key signature): only the slow mint may hit the timeout.
        broker.mints(TASK, DEV, "tok-warm-up", 300);
        broker.open(broker.client(), TASK, DEV).token();
        broker.answerMint(TASK, json(200, "{}").withFixedDelay(3_000));
        StintClient client = StintClient.create(broker.options().withRequestTimeout(Duration.ofMillis(300)));
        TaskSession session = broker.open(client, TASK, DEV);

        assertThatThrownBy(session::token)
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage(MINT + "the broker did not answer within PT0.3S");
    }

    @Test
    void unreachableBrokerIsUnavailable() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        StintClient client = StintClient.create(StintClientOptions.of(URI.create("http://127.0.0.1:" + freePort),
                BrokerStub.AGENT, BrokerStub.AGENT_KEY, broker.clock));

        assertThatThrownBy(() -> client.task(new TaskId(TASK)))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("authorization server metadata request failed: no usable answer from http://127.0.0.1:"
                        + freePort + "/.well-known/oauth-authorization-server: ConnectException");
    }

    @Test
    void unavailableCarriesRetryAfter() throws Exception {
        broker.answerMint(TASK, problem(503, "urn:stint:problem:store-unavailable", "down")
                .withHeader("Retry-After", "12"));
        TaskSession session = broker.open(broker.client(), TASK, DEV);

        assertThatThrownBy(session::token)
                .isInstanceOfSatisfying(BrokerUnavailableException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(12));
                    assertThat(e.status()).hasValue(503);
                });
    }

    static Stream<Row> openRefusals() {
        String open = "task open request (tier dev) rejected: ";
        return Stream.of(
                new Row("policy denies", problem(403, "urn:stint:problem:policy-denied",
                        "agent orders-bot may not hold db:orders:delete in tier dev"),
                        open + "agent orders-bot may not hold db:orders:delete in tier dev "
                                + "(HTTP 403, urn:stint:problem:policy-denied)"),
                new Row("bad input", problem(400, "urn:stint:problem:invalid-request", "ttl_seconds must be positive"),
                        open + "ttl_seconds must be positive (HTTP 400, urn:stint:problem:invalid-request)"),
                new Row("task id taken", problem(409, "urn:stint:problem:task-exists", "task tsk_a already exists"),
                        open + "task tsk_a already exists (HTTP 409, urn:stint:problem:task-exists)"),
                new Row("problem without type", json(400, "{\"error\":\"invalid_request\",\"title\":\"Bad\"}"),
                        open + "Bad (HTTP 400, about:blank)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openRefusals")
    void refusedTaskOpenIsRejected(Row row) {
        broker.stub(post(urlEqualTo("/v1/tasks")).willReturn(row.answer()));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isExactlyInstanceOf(BrokerRejectedException.class)
                .hasMessage(row.message());
    }

    @Test
    void rejectionCarriesStatusTypeAndDetail() {
        broker.stub(post(urlEqualTo("/v1/tasks")).willReturn(
                problem(403, "urn:stint:problem:policy-denied", "prod is frozen")));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOfSatisfying(BrokerRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.problemType()).isEqualTo("urn:stint:problem:policy-denied");
                    assertThat(e.detail()).isEqualTo("prod is frozen");
                });
    }

    static Stream<Row> authenticationRefusals() {
        String auth = "authentication of agent orders-bot rejected: ";
        return Stream.of(
                new Row("unknown key", oauthError(401, "invalid_client", "no key with kid k1 for agent orders-bot"),
                        auth + "no key with kid k1 for agent orders-bot (HTTP 401, urn:stint:problem:invalid-client)"),
                new Row("replayed assertion", oauthError(400, "invalid_grant", "assertion jti already used"),
                        auth + "assertion jti already used (HTTP 400, urn:stint:problem:invalid-grant)"),
                new Row("missing field", oauthError(400, "invalid_request", "client_assertion is required"),
                        auth + "client_assertion is required (HTTP 400, urn:stint:problem:invalid-request)"),
                new Row("grant not supported", oauthError(400, "unsupported_grant_type", "no such grant"),
                        auth + "no such grant (HTTP 400, urn:stint:problem:unsupported-grant-type)"));
    }

    static ResponseDefinitionBuilder oauthError(int status, String error, String detail) {
        String type = "urn:stint:problem:" + error.replace('_', '-');
        return json(status, "{\"error\":\"" + error + "\",\"error_description\":\"" + detail + "\",\"type\":\""
                + type + "\",\"title\":\"Refused\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticationRefusals")
    void refusedAuthenticationIsRejected(Row row) {
        broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).willReturn(row.answer()));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isExactlyInstanceOf(BrokerRejectedException.class)
                .hasMessage(row.message());
    }

    @Test
    void unavailableTokenEndpointIsUnavailable() {
        broker.stub(post(urlEqualTo(BrokerStub.TOKEN_PATH)).willReturn(
                json(503, "{\"error\":\"temporarily_unavailable\",\"detail\":\"key store is down\"}")));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("authentication of agent orders-bot failed: the broker is unavailable (HTTP 503): "
                        + "key store is down");
    }

    /**
     * An issuer other than the base URI; {port} is the broker's port, {other} another one, and
     * {@code differs} what the message says differs.
     */
    record OtherIssuer(String name, String issuer, String differs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<OtherIssuer> otherIssuers() {
        return Stream.of(
                new OtherIssuer("another name for the same host", "http://localhost:{port}", "the host differs"),
                new OtherIssuer("another host", "http://broker.example:{port}", "the host differs"),
                new OtherIssuer("another port", "http://127.0.0.1:{other}", "the port differs"),
                new OtherIssuer("the scheme's default port", "http://127.0.0.1", "the port differs"),
                new OtherIssuer("another scheme", "https://127.0.0.1:{port}", "the scheme differs"),
                new OtherIssuer("the scheme in capitals", "HTTP://127.0.0.1:{port}", "the scheme differs"),
                new OtherIssuer("a path", "http://127.0.0.1:{port}/stint", "the path differs"),
                new OtherIssuer("another host and port", "http://broker.example:8400", "the host and port differ"),
                new OtherIssuer("another scheme, host and port", "https://broker.example",
                        "the scheme, host and port differ"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherIssuers")
    void metadataNamingAnotherIssuerSaysWhatDiffersAndWhichUrlToUse(OtherIssuer row) {
        int port = broker.server.port();
        String issuer = row.issuer().replace("{port}", Integer.toString(port))
                .replace("{other}", Integer.toString(port == 65535 ? port - 1 : port + 1));
        broker.metadata(issuer);

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOfSatisfying(IssuerMismatchException.class, e -> {
                    assertThat(e.issuer()).isEqualTo(URI.create(issuer));
                    assertThat(e.baseUri()).isEqualTo(URI.create(broker.baseUrl()));
                })
                .hasMessage("authorization server metadata request failed: the broker's issuer is " + issuer
                        + " but this client connected to " + broker.baseUrl() + " (" + row.differs() + "); use "
                        + issuer + " as the base URI (RFC 8414 requires the issuer exactly)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherIssuers")
    void metadataNamingAnotherIssuerStopsBeforeAuthentication(OtherIssuer row) {
        int port = broker.server.port();
        broker.metadata(row.issuer().replace("{port}", Integer.toString(port))
                .replace("{other}", Integer.toString(port == 65535 ? port - 1 : port + 1)));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOf(IssuerMismatchException.class);
        assertThat(broker.authCalls()).isZero();
        assertThat(broker.server.findAll(postRequestedFor(urlEqualTo("/v1/tasks")))).isEmpty();
    }

    @Test
    void metadataNamingTheBaseUriWithATrailingSlashIsAccepted() throws Exception {
        broker.metadata(broker.baseUrl() + "/");

        assertThat(broker.open(broker.client(), TASK, DEV).taskId()).isEqualTo(new TaskId(TASK));
    }

    static Stream<Row> issuersThatAreNotUrls() {
        String prefix = "authorization server metadata request failed: the broker answered garbage: ";
        String notHttp = prefix + "field 'issuer' is not an http(s) URL with a host and no user info, query or "
                + "fragment";
        return Stream.of(
                new Row("words", metadataNaming("the stint broker"), prefix + "field 'issuer' is not a URL"),
                new Row("a relative path", metadataNaming("/stint"), notHttp),
                new Row("another scheme", metadataNaming("ftp://127.0.0.1:8400"), notHttp),
                new Row("a query", metadataNaming("http://127.0.0.1:8400?tenant=a"), notHttp),
                new Row("user info", metadataNaming("http://admin@127.0.0.1:8400"), notHttp));
    }

    private static ResponseDefinitionBuilder metadataNaming(String issuer) {
        return json(200, "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"http://127.0.0.1/oauth2/token\"}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issuersThatAreNotUrls")
    void metadataNamingAnIssuerThatIsNotAnHttpUrlIsGarbage(Row row) {
        broker.stub(get(urlEqualTo(BrokerStub.METADATA_PATH))
                .willReturn(row.answer()));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessage(row.message());
    }

    /** A token endpoint off the broker's origin; {port} is the broker's port, {other} another one. */
    record ForeignEndpoint(String name, String endpoint) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ForeignEndpoint> foreignTokenEndpoints() {
        return Stream.of(
                new ForeignEndpoint("another host", "http://broker.example:{port}/oauth2/token"),
                new ForeignEndpoint("another port", "http://127.0.0.1:{other}/oauth2/token"),
                new ForeignEndpoint("another scheme", "https://127.0.0.1:{port}/oauth2/token"),
                new ForeignEndpoint("the scheme's default port", "http://127.0.0.1/oauth2/token"),
                new ForeignEndpoint("another name for the same host", "http://localhost:{port}/oauth2/token"),
                new ForeignEndpoint("host hidden behind user info",
                        "http://127.0.0.1:{port}@broker.example/oauth2/token"),
                new ForeignEndpoint("user info before the right host", "http://agent@127.0.0.1:{port}/oauth2/token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignTokenEndpoints")
    void tokenEndpointOffTheIssuersOriginIsUnavailable(ForeignEndpoint row) {
        int port = broker.server.port();
        String endpoint = row.endpoint().replace("{port}", Integer.toString(port))
                .replace("{other}", Integer.toString(port == 65535 ? port - 1 : port + 1));
        broker.metadata(broker.baseUrl(), endpoint);

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("authorization server metadata request failed: the broker answered garbage: field "
                        + "'token_endpoint' (" + endpoint + ") is not on the issuer's origin http://127.0.0.1:" + port
                        + "; the client assertion is only sent to the issuer's own scheme, host and port");
    }

    @Test
    void openedTaskInAnotherTierIsGarbage() {
        broker.stub(post(urlEqualTo("/v1/tasks")).willReturn(
                json(201, BrokerStub.taskJson(TASK, BrokerStub.PROD, DEADLINE, "active"))));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task open request (tier dev) failed: the broker answered garbage: the broker opened "
                        + "the task in tier prod, not dev");
    }

    @Test
    void openedTaskWithUnknownStatusIsGarbage() {
        broker.stub(post(urlEqualTo("/v1/tasks")).willReturn(
                json(201, BrokerStub.taskJson(TASK, DEV, DEADLINE, "paused"))));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task open request (tier dev) failed: the broker answered garbage: field 'status' is "
                        + "not a known task status: paused");
    }

    @Test
    void openedTaskThatIsAlreadyDeniedIsNotActive() {
        broker.stub(post(urlEqualTo("/v1/tasks")).willReturn(
                json(201, BrokerStub.taskJson(TASK, DEV, DEADLINE, "denied"))));

        assertThatThrownBy(() -> broker.open(broker.client(), TASK, DEV))
                .isInstanceOfSatisfying(TaskNotActiveException.class, e -> {
                    assertThat(e.taskId()).isEqualTo(new TaskId(TASK));
                    assertThat(e.refusedByClient()).isTrue();
                })
                .hasMessage("refused by the Stint client: the broker reports task tsk_a as denied; "
                        + "a session needs an active or pending task");
    }

    @Test
    void openRequestCarriesTheContractFields() throws Exception {
        broker.client().openTask(TaskRequest.of(DEV, "nightly report", List.of(Scope.parse("db:orders:write"),
                ORDERS_READ)).withTaskId(new TaskId(TASK)).withTtl(Duration.ofMinutes(10)));

        String body = broker.server.findAll(postRequestedFor(
                urlEqualTo("/v1/tasks"))).get(0).getBodyAsString();
        assertThat(body).isEqualTo("{\"task_id\":\"tsk_a\",\"tier\":\"dev\",\"purpose\":\"nightly report\","
                + "\"scopes\":[\"db:orders:read\",\"db:orders:write\"],\"ttl_seconds\":600}");
    }
}
