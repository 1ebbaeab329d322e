package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.deployment.OidcSignInSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person signed in by single sign-on, without a passkey, approves on a recent sign-in: older
 * than the policy's {@code reauth_within} (5 minutes here), they sign in again first.
 */
class SingleSignOnApprovalTest {

    static final String POLICY = """
            tiers:
              prod: { max_ttl: 1h, default_ttl: 30m }
            destructive_actions: [delete]
            grants:
              demo-agent:
                prod: ["db:orders:delete"]
            approvals:
              prod: { destructive: 1 }
            """;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    MockOAuth2Server provider;
    MutableClock clock = new MutableClock(Instant.now());
    BrokerHarness broker;
    PagesClient browser;
    String approvalId;
    String adaEnrollment;

    @BeforeEach
    void start() throws IOException {
        provider = new MockOAuth2Server();
        provider.start();
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        OidcSignInSettings settings = new OidcSignInSettings(provider.issuerUrl("default").toString(), "stint",
                "client-secret-9d", "email");
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock,
                options -> options.withDeployment(options.deployment().withOidcSignIn(settings)));
        browser = new PagesClient(People.pages(broker));
        TestAgent agent = broker.registerAgent("demo-agent", "prod");
        approvalId = broker.openTask(broker.agentToken(agent), "prod", "[\"db:orders:delete\"]", null)
                .text("approval_id");
        adaEnrollment = People.register(broker, "ada", "ada@example.com", "Ada");
        signInBySso();
    }

    @AfterEach
    void stop() {
        broker.close();
        provider.shutdown();
    }

    @Test
    void recentSingleSignOnApprovesWithoutAPasskey() {
        PagesClient.Page approved = browser.post("/v1/approvals/" + approvalId + "/approve",
                "{\"comment\":\"on call, checked\"}");

        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        JsonNode evidence = approved.json().at("/votes/0/evidence");
        assertThat(evidence.get("method").asText()).isEqualTo("oidc_session");
        assertThat(evidence.get("person_id").asText()).isEqualTo("ada");
    }

    @Test
    void someoneWithAPasskeyApprovesWithItEvenWhenSignedInBySingleSignOn() {
        People.enroll(broker, new PagesClient(People.pages(broker)), adaEnrollment,
                new dev.stint.broker.people.TestAuthenticator());

        PagesClient.Page refused = browser.post("/v1/approvals/" + approvalId + "/approve", "{}");

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.text("detail")).contains("ada has a passkey");
        assertThat(broker.get("/v1/approvals/" + approvalId, broker.adminToken()).text("status"))
                .isEqualTo("pending");
    }

    @Test
    void singleSignOnOlderThanReauthWithinMustSignInAgain() {
        clock.advance(Duration.ofMinutes(6));

        PagesClient.Page refused = browser.post("/v1/approvals/" + approvalId + "/approve", "{}");

        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:reauthentication-required");
        assertThat(broker.get("/v1/approvals/" + approvalId, broker.adminToken()).text("status"))
                .isEqualTo("pending");

        signInBySso();
        assertThat(browser.post("/v1/approvals/" + approvalId + "/approve", "{}").status()).isEqualTo(200);
    }

    private void signInBySso() {
        signInBySso("/ui/sign-in/oidc");
    }

    /** Signs in through the provider from {@code start}; answers the page the browser is sent on to. */
    private String signInBySso(String start) {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "user-1", "JWT", List.of("stint"),
                Map.of("email", "ada@example.com"), 3600));
        browser.get("/ui/");
        String authorize = browser.get(start).header("Location");
        String callback = send(authorize).headers().firstValue("Location").orElseThrow();
        PagesClient.Page back = browser.get(callback.substring(People.pages(broker).length()));
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(browser.cookies).doesNotContainKey(Cookies.SIGN_ON_NEXT);
        String next = back.body().replaceAll("(?s).*content=\"0;url=([^\"]*)\".*", "$1");
        browser.get("/ui/");
        return next;
    }

    @Test
    void signingInAgainGoesBackToTheRequest() {
        clock.advance(Duration.ofMinutes(6));
        String page = browser.get("/ui/approvals/" + approvalId).body();
        assertThat(page).contains("href=\"/ui/sign-in/oidc?next=/ui/approvals/" + approvalId + "\"");

        assertThat(signInBySso("/ui/sign-in/oidc?next=/ui/approvals/" + approvalId))
                .isEqualTo("/ui/approvals/" + approvalId);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"https://evil.example/", "//evil.example/ui/",
            "/ui/../oauth2/token", "/ui/approvals?status=x", "/elsewhere", "/ui/%2F%2Fevil", "javascript:alert(1)"})
    void signInNeverGoesBackAnywhereButThePages(String next) {
        assertThat(signInBySso("/ui/sign-in/oidc?next=" + java.net.URLEncoder.encode(next,
                java.nio.charset.StandardCharsets.UTF_8))).isEqualTo("/ui/");
    }

    private static HttpResponse<String> send(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
