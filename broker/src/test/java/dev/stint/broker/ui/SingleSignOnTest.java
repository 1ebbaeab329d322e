package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.deployment.OidcSignInSettings;
import dev.stint.broker.http.LogCapture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * Single sign-on at /ui/ against a real OpenID Connect provider (mock-oauth2-server, which signs
 * in whoever the test enqueues without a login page), driven over HTTP by a client that keeps
 * cookies and follows redirects by hand.
 */
class SingleSignOnTest {

    private static final String CLIENT_ID = "stint";
    private static final String CLIENT_SECRET = "client-secret-9d";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private MockOAuth2Server provider;

    @TempDir
    Path dir;
    BrokerHarness broker;
    PagesClient browser;

    @BeforeEach
    void start() {
        // One provider per test: a sign-in refused before its code is exchanged leaves its callback queued.
        provider = new MockOAuth2Server();
        provider.start();
        broker = withIssuer(provider.issuerUrl("default").toString());
        browser = new PagesClient(People.pages(broker));
    }

    @AfterEach
    void stop() {
        broker.close();
        provider.shutdown();
    }

    private BrokerHarness withIssuer(String issuer) {
        OidcSignInSettings settings = new OidcSignInSettings(issuer, CLIENT_ID, CLIENT_SECRET, "email");
        return BrokerHarness.start(dir, new MutableClock(Instant.now()),
                options -> options.withDeployment(options.deployment().withOidcSignIn(settings)));
    }

    /** The provider will vouch for {@code email} at the next sign-in. */
    private void providerSignsIn(String email) {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "user-1", "JWT", List.of(CLIENT_ID),
                Map.of("email", email), 3600));
    }

    /** Starts at the sign-in link, goes through the provider; answers the broker's callback URL. */
    private String throughProvider() {
        browser.get("/ui/");
        PagesClient.Page started = browser.get("/ui/sign-in/oidc");
        assertThat(started.status()).as(started.body()).isEqualTo(302);
        String authorize = started.header("Location");
        assertThat(authorize).startsWith(provider.issuerUrl("default").toString())
                .contains("code_challenge_method=S256").contains("nonce=").contains("state=");
        HttpResponse<String> answer = send(authorize);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(302);
        String callback = answer.headers().firstValue("Location").orElseThrow();
        assertThat(callback).startsWith(People.pages(broker) + "/ui/sign-in/oidc/callback?");
        return callback.substring(People.pages(broker).length());
    }

    private static HttpResponse<String> send(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRegisteredApproverSignsInAndGetsTheSameSession() {
        People.register(broker, "ada", "ada@example.com", "Ada");
        providerSignsIn("Ada@Example.com");
        PagesClient.Page back;
        String callback;
        try (LogCapture log = new LogCapture()) {
            callback = throughProvider();
            back = browser.get(callback);
            String code = callback.replaceAll(".*[?&]code=([^&]*).*", "$1");
            assertThat(String.join("\n", log.all())).doesNotContain(CLIENT_SECRET).doesNotContain(code);
        }
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(back.body()).contains("url=/ui/");
        assertThat(browser.cookies).containsKey(Cookies.SESSION).doesNotContainKey(Cookies.SIGN_ON);
        PagesClient.Page home = browser.get("/ui/");
        assertThat(home.body()).contains("Signed in as").contains("ada@example.com");
        BrokerHarness.Response audit = broker.get("/v1/audit?actor=person:ada", broker.adminToken());
        assertThat(audit.body()).contains("signed in with single sign-on (oidc)");
    }

    @Test
    void theSignInPageOffersSingleSignOn() {
        assertThat(browser.get("/ui/").body()).contains("href=\"/ui/sign-in/oidc\"")
                .contains("Sign in with single sign-on");
    }

    @Test
    void withoutTheSectionThereIsNoSingleSignOn() {
        broker.close();
        broker = BrokerHarness.start(dir, new MutableClock(Instant.now()));
        browser = new PagesClient(People.pages(broker));
        assertThat(browser.get("/ui/").body()).doesNotContain("single sign-on");
        assertThat(browser.get("/ui/sign-in/oidc").status()).isEqualTo(404);
    }

    @Test
    void anUnknownEmailIsRefused() {
        providerSignsIn("stranger@example.com");
        PagesClient.Page back = browser.get(throughProvider());
        assertThat(back.status()).isEqualTo(403);
        assertThat(back.body()).contains("no person here has the email");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void aDisabledPersonIsRefusedAndRecorded() {
        People.register(broker, "bob", "bob@example.com", null);
        assertThat(broker.postJson("/v1/people/bob/disable", "{}", broker.adminToken()).status()).isEqualTo(200);
        providerSignsIn("bob@example.com");
        PagesClient.Page back = browser.get(throughProvider());
        assertThat(back.status()).isEqualTo(403);
        assertThat(back.body()).contains("disabled");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
        assertThat(broker.get("/v1/audit?actor=person:bob", broker.adminToken()).body())
                .contains("single sign-on refused");
    }

    @Test
    void aTamperedOrReusedStateIsRefused() {
        People.register(broker, "ada", "ada@example.com", "Ada");
        providerSignsIn("ada@example.com");
        String callback = throughProvider();
        String sso = browser.cookies.get(Cookies.SIGN_ON);
        PagesClient.Page tampered = browser.get(callback.replace("state=", "state=x"));
        assertThat(tampered.status()).isEqualTo(400);
        browser.cookies.put(Cookies.SIGN_ON, sso);
        // The tampered one named no attempt; the real one still works once, then never again.
        assertThat(browser.get(callback).status()).isEqualTo(200);
        browser.cookies.remove(Cookies.SESSION);
        browser.cookies.put(Cookies.SIGN_ON, sso);
        PagesClient.Page reused = browser.get(callback);
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.body()).contains("used already");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void aCallbackWithoutStateOrFromAnotherBrowserIsRefused() {
        People.register(broker, "ada", "ada@example.com", "Ada");
        providerSignsIn("ada@example.com");
        String callback = throughProvider();
        assertThat(browser.get("/ui/sign-in/oidc/callback?code=abc").status()).isEqualTo(400);
        PagesClient other = new PagesClient(People.pages(broker));
        PagesClient.Page elsewhere = other.get(callback);
        assertThat(elsewhere.status()).isEqualTo(400);
        assertThat(other.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void aProviderThatDoesNotAnswerIsA503AndNoSession() throws IOException {
        broker.close();
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        broker = withIssuer("http://127.0.0.1:" + closed + "/default");
        browser = new PagesClient(People.pages(broker));
        browser.get("/ui/");
        PagesClient.Page started = browser.get("/ui/sign-in/oidc");
        assertThat(started.status()).isEqualTo(503);
        assertThat(started.body()).contains("single sign-on is unavailable");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void aProviderThatStopsAnsweringBeforeTheCodeIsExchangedIsA503AndNoSession() {
        People.register(broker, "ada", "ada@example.com", "Ada");
        providerSignsIn("ada@example.com");
        String callback = throughProvider();
        provider.shutdown();
        PagesClient.Page back = browser.get(callback);
        assertThat(back.status()).isEqualTo(503);
        assertThat(back.body()).contains("single sign-on is unavailable");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
        provider = new MockOAuth2Server();
        provider.start();
    }
}
