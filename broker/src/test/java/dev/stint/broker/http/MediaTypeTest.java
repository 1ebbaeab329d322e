package dev.stint.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A body is read only when its Content-Type is exactly the media type the endpoint takes
 * (RFC 9110: type and subtype without regard to case, then optional parameters), so
 * {@code application/jsonx} is not JSON. Anything else is 415 and the body is never read.
 */
class MediaTypeTest {

    static final String UNSUPPORTED = "urn:stint:problem:unsupported-media-type";
    static final String NO_HEADER = "(no Content-Type)";

    @TempDir
    static Path dataDir;

    static BrokerHarness broker;
    static String agentToken;

    @BeforeAll
    static void startBroker() {
        broker = BrokerHarness.start(dataDir, new MutableClock(Instant.parse("2026-11-24T10:00:00Z")));
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Stream<String> jsonMediaTypes() {
        return Stream.of("application/json", "APPLICATION/JSON", "Application/Json; charset=utf-8",
                "application/json;charset=UTF-8", "application/json ; charset=\"utf-8\"", "application/json;");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jsonMediaTypes")
    void jsonBodyIsReadUnderAnySpellingOfApplicationJson(String contentType) {
        Response response = broker.postRaw("/v1/tasks", contentType, TASK, agentToken);

        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    static Stream<String> notJson() {
        return Stream.of("application/jsonx", "application/json-patch+json", "application/json/x", "text/json",
                "application/x-json", "application/*", "*/*", "json", "application/", "application /json",
                "application/json charset=utf-8", "application/json; charset", "application/json; charset=\"utf-8",
                "application/json; =utf-8", "application/x-www-form-urlencoded", "", NO_HEADER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notJson")
    void jsonEndpointRefusesAnyOtherMediaType(String contentType) {
        Response response = broker.postRaw("/v1/tasks", header(contentType), TASK, agentToken);

        assertThat(response.status()).as(response.body()).isEqualTo(415);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.text("type")).isEqualTo(UNSUPPORTED);
        assertThat(response.text("detail")).isEqualTo("send the request body as application/json");
    }

    static Stream<String> formMediaTypes() {
        return Stream.of("application/x-www-form-urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED",
                "application/x-www-form-urlencoded; charset=UTF-8", "application/x-www-form-urlencoded ;charset=utf-8");
    }

    /** The form is read: its grant type is the one refused. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("formMediaTypes")
    void formIsReadUnderAnySpellingOfTheFormMediaType(String contentType) {
        Response response = broker.postRaw("/oauth2/token", contentType, GRANT_PASSWORD, null);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.text("error")).isEqualTo("unsupported_grant_type");
    }

    static Stream<String> notAForm() {
        return Stream.of("application/x-www-form-urlencodedx", "application/x-www-form-urlencoded; charset",
                "application/x-www-form-urlencoded/x", "multipart/form-data; boundary=x", "application/json",
                "text/plain", "", NO_HEADER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notAForm")
    void oauthEndpointsRefuseAnyOtherMediaType(String contentType) {
        for (String path : new String[] {"/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"}) {
            Response response = broker.postRaw(path, header(contentType), GRANT_PASSWORD, null);

            assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(415);
            assertThat(response.contentType()).isEqualTo("application/json");
            JsonNode body = response.json();
            assertThat(body.get("error").asText()).isEqualTo("invalid_request");
            assertThat(body.get("type").asText()).isEqualTo(UNSUPPORTED);
            assertThat(body.get("detail").asText()).isEqualTo("send parameters as application/x-www-form-urlencoded");
        }
    }

    static final byte[] TASK = "{\"tier\":\"dev\",\"purpose\":\"media types\",\"scopes\":[\"db:orders:read\"]}"
            .getBytes(StandardCharsets.UTF_8);
    static final byte[] GRANT_PASSWORD = "grant_type=password&token=x".getBytes(StandardCharsets.UTF_8);

    private static String header(String contentType) {
        return NO_HEADER.equals(contentType) ? null : contentType;
    }
}
