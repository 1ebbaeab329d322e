package dev.stint.cli.ci;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Fetching the job's OIDC token from a stub of GitHub's token request URL, as a runner sets it up. */
class GithubIdTokenTest {

    static final String REQUEST_TOKEN = "ghs_request-token-never-shown";
    static final String ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2ln";
    static final String AUDIENCE = "https://stint.example.com/a b";
    static final String PATH = "/_apis/actionstoken/generate";

    static WireMockServer github;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        github = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        github.start();
    }

    @AfterAll
    static void stop() {
        github.stop();
    }

    @BeforeEach
    void reset() {
        github.resetAll();
    }

    static Map<String, String> runner(String url) {
        return Map.of(GithubIdToken.URL_VARIABLE, url, GithubIdToken.TOKEN_VARIABLE, REQUEST_TOKEN);
    }

    static String requestUrl() {
        return "http://127.0.0.1:" + github.port() + PATH + "?api-version=2.0";
    }

    static GithubIdToken source(Duration timeout) throws CiSetupException {
        return GithubIdToken.fromEnvironment(runner(requestUrl()), AUDIENCE, HTTP, timeout);
    }

    static void answers(ResponseDefinitionBuilder answer) {
        github.stubFor(get(urlPathEqualTo(PATH)).willReturn(answer));
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    @Test
    void asksForTheAudienceWithTheRunnersRequestToken() throws Exception {
        answers(json(200, "{\"count\":1,\"value\":\"" + ID_TOKEN + "\"}"));

        source(Duration.ofSeconds(5)).subjectToken();

        github.verify(getRequestedFor(urlPathEqualTo(PATH))
                .withQueryParam("api-version", equalTo("2.0"))
                .withQueryParam("audience", equalTo(AUDIENCE))
                .withHeader("Authorization", equalTo("bearer " + REQUEST_TOKEN)));
    }

    @Test
    void givesTheValueOfTheAnswer() throws Exception {
        answers(json(200, "{\"count\":1,\"value\":\"" + ID_TOKEN + "\"}"));

        assertThat(source(Duration.ofSeconds(5)).subjectToken()).isEqualTo(ID_TOKEN);
    }

    @Test
    void everyCallAsksGithubAgain() throws Exception {
        answers(json(200, "{\"value\":\"" + ID_TOKEN + "\"}"));
        GithubIdToken source = source(Duration.ofSeconds(5));

        source.subjectToken();
        source.subjectToken();

        assertThat(github.findAll(getRequestedFor(urlPathEqualTo(PATH)))).hasSize(2);
    }

    @Test
    void aRequestUrlWithoutQueryGetsTheAudienceAsItsQuery() throws Exception {
        answers(json(200, "{\"value\":\"" + ID_TOKEN + "\"}"));

        GithubIdToken.fromEnvironment(runner("http://127.0.0.1:" + github.port() + PATH), "aud", HTTP).subjectToken();

        github.verify(getRequestedFor(urlPathEqualTo(PATH)).withQueryParam("audience", equalTo("aud")));
    }

    record Failure(String name, ResponseDefinitionBuilder answer, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Failure> failures() {
        return Stream.of(
                new Failure("garbage", json(200, "<html>" + REQUEST_TOKEN + "</html>"),
                        "GitHub's OIDC token answer is not JSON"),
                new Failure("a server error", json(500, "{\"message\":\"oops\"}"),
                        "GitHub's OIDC token request answered HTTP 500"),
                new Failure("a refusal", json(401, "{}"), "GitHub's OIDC token request answered HTTP 401"),
                new Failure("no value", json(200, "{\"count\":1}"), "GitHub's OIDC token answer has no 'value'"),
                new Failure("a value that is not text", json(200, "{\"value\":42}"),
                        "GitHub's OIDC token answer has no 'value'"),
                new Failure("an empty value", json(200, "{\"value\":\"\"}"), "GitHub's OIDC token answer has no 'value'"),
                new Failure("JSON that is not an object", json(200, "[\"" + ID_TOKEN + "\"]"),
                        "GitHub's OIDC token answer has no 'value'"),
                new Failure("an answer past the limit", json(200, "{\"value\":\"" + "x".repeat(70_000) + "\"}"),
                        "GitHub's OIDC token answer is larger than 65536 bytes"),
                new Failure("slow", json(200, "{\"value\":\"" + ID_TOKEN + "\"}").withFixedDelay(3_000),
                        "GitHub's OIDC token request did not answer within 1 s"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void anAnswerThatIsNotATokenFailsSayingWhyAndNeverShowsTheRequestToken(Failure row) throws Exception {
        answers(row.answer());

        assertThatThrownBy(() -> source(Duration.ofSeconds(1)).subjectToken())
                .isInstanceOf(IOException.class)
                .hasMessage(row.message())
                .hasNoCause();
    }

    @Test
    void aConnectionCutShortFailsNamingTheHostOnly() throws Exception {
        answers(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        assertThatThrownBy(() -> source(Duration.ofSeconds(5)).subjectToken())
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("GitHub's OIDC token request to 127.0.0.1 failed: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(REQUEST_TOKEN));
    }

    record SetUp(String name, Map<String, String> env, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<SetUp> setUps() {
        return Stream.of(
                new SetUp("no request URL", Map.of(GithubIdToken.TOKEN_VARIABLE, "t"), "GitHub Actions gives this job"
                        + " no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): give the job `permissions:"
                        + " id-token: write`"),
                new SetUp("no request token", Map.of(GithubIdToken.URL_VARIABLE, "https://x.example/t"),
                        "GitHub Actions gives this job no OIDC token (ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set):"
                                + " give the job `permissions: id-token: write`"),
                new SetUp("plain http off this machine", runner("http://pipelines.example/t?api-version=2.0"),
                        "ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL (plain http only on loopback)"),
                new SetUp("a relative URL", runner("/t?api-version=2.0"),
                        "ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL (plain http only on loopback)"),
                new SetUp("not a URL", runner("https://exa mple/t"), "ACTIONS_ID_TOKEN_REQUEST_URL is not a URL"));
    }

    @ParameterizedTest
    @MethodSource("setUps")
    void aJobWithoutItsTokenVariablesIsRefusedSayingWhatToChange(SetUp row) {
        assertThatThrownBy(() -> GithubIdToken.fromEnvironment(row.env(), AUDIENCE, HTTP))
                .isInstanceOf(CiSetupException.class)
                .hasMessage(row.message());
    }
}
