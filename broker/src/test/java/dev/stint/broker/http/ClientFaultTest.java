package dev.stint.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.http.RawHttp.Answer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that are the client's fault at the HTTP level (a head the codec cannot parse, a path or
 * form whose percent-encoding is broken, too many form fields, a body that does not decode, no
 * Host, a body where none belongs, a hang-up mid-body) are answered 4xx as problems, OAuth-style on
 * the OAuth endpoints, and never leave an error or a stack trace in the log. Sent over raw
 * sockets, because well-behaved clients refuse to send them.
 */
class ClientFaultTest {

    static final String INVALID_REQUEST = "urn:stint:problem:invalid-request";
    static final String BAD_PERCENT_IN_FORM = "the form body is not valid application/x-www-form-urlencoded; each '%'"
            + " must be followed by two hex digits";
    static final String BAD_PERCENT_IN_PATH = "the request path is malformed: each '%' must be followed by two hex"
            + " digits";
    static final String BAD_HEAD = "the request line or headers are not valid HTTP/1.1";
    static final String FORM = "application/x-www-form-urlencoded";

    @TempDir
    static Path dataDir;

    static BrokerHarness broker;

    @BeforeAll
    static void startBroker() {
        broker = BrokerHarness.start(dataDir, new MutableClock(Instant.parse("2026-11-24T10:00:00Z")));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Stream<Arguments> clientFaults() {
        return Stream.of(
                fault("grant_type=%ZZ on the token endpoint", post("/oauth2/token", FORM, "grant_type=%ZZ"),
                        400, INVALID_REQUEST, BAD_PERCENT_IN_FORM),
                fault("token=%ZZ on introspection", post("/oauth2/introspect", FORM, "token=%ZZ"),
                        400, INVALID_REQUEST, BAD_PERCENT_IN_FORM),
                fault("token=%ZZ on revocation", post("/oauth2/revoke", FORM, "token=%ZZ"),
                        400, INVALID_REQUEST, BAD_PERCENT_IN_FORM),
                fault("a '%' cut short at the end of the form", post("/oauth2/token", FORM,
                        "grant_type=client_credentials&client_assertion=abc%4"), 400, INVALID_REQUEST,
                        BAD_PERCENT_IN_FORM),
                fault("a form of 5,000 fields", post("/oauth2/token", FORM, fields(5_000)),
                        400, INVALID_REQUEST, "the form has more than 32 fields"),
                fault("a form of 33 fields", post("/oauth2/token", FORM, fields(33)),
                        400, INVALID_REQUEST, "the form has more than 32 fields"),
                fault("a form of 32 fields is read (and lacks grant_type)", post("/oauth2/token", FORM, fields(32)),
                        400, INVALID_REQUEST, "grant_type is required"),
                // The codec hands a body over in 8 KiB pieces; a field name spanning them is buffered whole.
                fault("a form field name of 20,000 characters is read (and the form lacks grant_type)",
                        post("/oauth2/token", FORM, "n".repeat(20_000) + "=1"), 400, INVALID_REQUEST,
                        "grant_type is required"),
                fault("GET /%ZZ", get("/%ZZ"), 400, INVALID_REQUEST, BAD_PERCENT_IN_PATH),
                fault("GET /v1/tasks/%ZZ", get("/v1/tasks/%ZZ"), 400, INVALID_REQUEST, BAD_PERCENT_IN_PATH),
                fault("a '%' cut short at the end of the path", get("/v1/tasks/abc%4"), 400, INVALID_REQUEST,
                        BAD_PERCENT_IN_PATH),
                fault("POST /oauth2/%zz", post("/oauth2/%zz", FORM, "grant_type=client_credentials"),
                        400, INVALID_REQUEST, BAD_PERCENT_IN_PATH),
                fault("a request line that is not HTTP", "GARBAGE\r\n\r\n", 400, INVALID_REQUEST, BAD_HEAD),
                fault("a header line without a colon",
                        "GET /health HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n", 400, INVALID_REQUEST,
                        BAD_HEAD),
                fault("a request line over 8 KiB", get("/" + "a".repeat(9_000)), 414, "urn:stint:problem:uri-too-long",
                        "the request line is longer than 8192 bytes"),
                fault("headers over 16 KiB", "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                        + "a".repeat(17_000) + "\r\n\r\n", 431, "urn:stint:problem:headers-too-large",
                        "the request headers are larger than 16384 bytes"),
                fault("HTTP/1.1 without Host", "GET /health HTTP/1.1\r\n\r\n", 400, INVALID_REQUEST,
                        "the Host header is missing or malformed"),
                fault("a form body on GET", "GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                        + "\r\nContent-Length: 3\r\n\r\na=b", 400, INVALID_REQUEST,
                        "this method takes no request body"),
                fault("a multipart body that does not decode", post("/oauth2/token", "multipart/form-data; boundary=x",
                        "--x\r\nGarbage\r\n\r\nv\r\n--x--\r\n"), 415, "urn:stint:problem:unsupported-media-type",
                        "multipart/form-data bodies are not accepted"),
                fault("a multipart body on OPTIONS", "OPTIONS /oauth2/token HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 3\r\n\r\na=b", 400,
                        INVALID_REQUEST, "this method takes no request body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientFaults")
    void clientFaultIsAProblemAndLogsNoError(String name, String request, int status, String type, String detail) {
        try (LogCapture log = new LogCapture()) {
            Answer answer = RawHttp.exchange(broker.port(), request);

            boolean oauth = request.contains(" /oauth2/");
            assertThat(answer.status()).as(answer.body()).isEqualTo(status);
            assertThat(answer.header("Content-Type"))
                    .isEqualTo(oauth ? "application/json" : "application/problem+json");
            assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
            JsonNode body = answer.json();
            assertThat(body.get("type").asText()).isEqualTo(type);
            assertThat(body.get("status").asInt()).isEqualTo(status);
            assertThat(body.get("detail").asText()).isEqualTo(detail);
            if (oauth) {
                assertThat(body.get("error").asText()).isEqualTo("invalid_request");
                assertThat(body.get("error_description").asText()).isEqualTo(detail);
            }
            assertThat(log.errorsOrStackTraces()).isEmpty();
        }
    }

    static Stream<Arguments> halfSentBodies() {
        return Stream.of(
                Arguments.of("a JSON body on /v1/tasks", "/v1/tasks", "application/json", "{\"tier\":"),
                Arguments.of("a form on /oauth2/token", "/oauth2/token", FORM, "grant_type=cl"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("halfSentBodies")
    void clientThatHangsUpMidBodyLeavesNoErrorInTheLog(String name, String path, String contentType, String part)
            throws Exception {
        try (LogCapture log = new LogCapture()) {
            try (Socket socket = RawHttp.connect(broker.port())) {
                RawHttp.send(socket, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                        + "\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
                // The body reader asks for the body: from now on the server is reading it.
                assertThat(RawHttp.read(socket, false).status()).isEqualTo(100);
                RawHttp.send(socket, part);
            }
            Thread.sleep(500); // the server notices the hang-up

            assertThat(log.errorsOrStackTraces()).isEmpty();
        }
        assertThat(broker.get("/health", null).status()).isEqualTo(200);
    }

    // rows

    private static Arguments fault(String name, String request, int status, String type, String detail) {
        return Arguments.of(name, request, status, type, detail);
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    static String post(String path, String contentType, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** {@code count} distinct fields, none of them grant_type. */
    static String fields(int count) {
        return IntStream.range(0, count).mapToObj(i -> "f" + i + "=1").collect(Collectors.joining("&"));
    }
}
