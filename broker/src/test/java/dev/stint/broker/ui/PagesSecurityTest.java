package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.people.TestAuthenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pages' defences: CSRF, sessions that die, escaping, headers, cookies, and the one origin. */
class PagesSecurityTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(T0);
    BrokerHarness broker;
    PagesClient browser;
    TestAuthenticator key = new TestAuthenticator();

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dir, clock);
        browser = new PagesClient(People.pages(broker));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    void signedInAs(String id, String email, String name) {
        People.enroll(broker, browser, People.register(broker, id, email, name), key);
        People.signIn(broker, browser, key);
    }

    @Test
    void postWithoutCsrfTokenIsRefusedWithAProblem() {
        browser.get("/ui/");

        PagesClient.Page refused = browser.postWithoutCsrf("/ui/sign-in/options", "{}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:csrf-rejected");
        assertThat(refused.text("detail")).isEqualTo(
                "cross-site request refused: the request carries no CSRF token or no cookie of this site; reload the page");
    }

    @Test
    void postWithAnotherBrowsersTokenIsRefused() {
        PagesClient other = new PagesClient(People.pages(broker));
        other.get("/ui/");
        browser.get("/ui/");
        browser.csrf = other.csrf;

        PagesClient.Page refused = browser.post("/ui/sign-in/options", "{}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail"))
                .isEqualTo("cross-site request refused: the CSRF token is not this browser's; reload the page");
    }

    @Test
    void postFromAnotherOriginIsRefused() {
        browser.get("/ui/");

        PagesClient.Page refused = browser.postWithHeader("/ui/sign-in/options", "{}", "Origin",
                "https://evil.example");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:csrf-rejected");
    }

    @Test
    void signOutFormWithoutTokenIsRefusedAndWithItEndsTheSession() {
        signedInAs("alice", "alice@example.com", "Alice");
        browser.get("/ui/");

        PagesClient.Page forged = browser.postForm("/ui/sign-out", Map.of());
        PagesClient.Page signedOut = browser.postForm("/ui/sign-out", Map.of("csrf_token", browser.csrf));
        PagesClient.Page after = browser.get("/ui/");

        assertThat(forged.status()).isEqualTo(403);
        assertThat(signedOut.status()).isEqualTo(303);
        assertThat(signedOut.header("Location")).isEqualTo("/ui/");
        assertThat(after.body()).contains("Sign in with a passkey");
        JsonNode records = broker.get("/v1/audit", broker.adminToken()).json().get("records");
        assertThat(records.findValuesAsText("action")).contains("person.sign_out");
    }

    @Test
    void idleSessionGoesBackToSignIn() {
        signedInAs("alice", "alice@example.com", "Alice");
        String session = browser.cookies.get(Cookies.SESSION);

        clock.advance(Sessions.DEFAULT_IDLE.minusSeconds(1));
        PagesClient.Page stillIn = browser.get("/ui/");
        clock.advance(Sessions.DEFAULT_IDLE);
        PagesClient.Page idle = browser.get("/ui/");
        browser.cookies.put(Cookies.SESSION, session);
        PagesClient.Page replayed = browser.get("/ui/");

        assertThat(stillIn.body()).contains("Signed in as");
        assertThat(idle.body()).contains("Sign in with a passkey").doesNotContain("Signed in as");
        assertThat(idle.setCookies()).anyMatch(c -> c.startsWith(Cookies.SESSION + "=;") && c.contains("Max-Age=0"));
        assertThat(replayed.body()).doesNotContain("Signed in as");
    }

    @Test
    void disabledPersonsSessionDiesAndTheyCannotSignInAgain() {
        signedInAs("alice", "alice@example.com", "Alice");

        broker.postRaw("/v1/people/alice/disable", null, new byte[0], broker.adminToken());
        PagesClient.Page home = browser.get("/ui/");
        JsonNode options = People.signInOptions(browser);
        PagesClient.Page again = People.finishSignIn(browser, options,
                key.assertion(People.honest(broker, options.at("/public_key/challenge").asText())));

        assertThat(home.body()).contains("Sign in with a passkey").doesNotContain("Signed in as");
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.text("detail")).isEqualTo("person alice is disabled");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void markupInNameAndEmailShowsAsText() {
        signedInAs("mallory", "o'brien&co@example.com", "<script>alert(1)</script>\"><img src=x onerror=alert(2)>");

        String page = browser.get("/ui/").body();

        assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
                .contains("o&#39;brien&amp;co@example.com")
                .doesNotContain("<script>alert").doesNotContain("<img");
    }

    @Test
    void pagesAtTheLoopbackAddressMoveToLocalhost() {
        PagesClient atAddress = new PagesClient("http://127.0.0.1:" + broker.port());

        PagesClient.Page home = atAddress.get("/ui/");
        PagesClient.Page enroll = atAddress.get("/ui/enroll?from=mail");
        PagesClient.Page post = atAddress.postWithoutCsrf("/ui/sign-in/options", "{}");

        assertThat(home.status()).isEqualTo(302);
        assertThat(home.header("Location")).isEqualTo("http://localhost:" + broker.port() + "/ui/");
        assertThat(enroll.header("Location")).isEqualTo("http://localhost:" + broker.port() + "/ui/enroll?from=mail");
        assertThat(post.status()).isEqualTo(403);
    }

    @Test
    void pagesForbidInlineScriptAndFraming() {
        PagesClient.Page page = browser.get("/ui/");
        PagesClient.Page enroll = browser.get("/ui/enroll");

        for (PagesClient.Page p : new PagesClient.Page[] {page, enroll}) {
            String csp = p.header("Content-Security-Policy");
            assertThat(csp).contains("script-src 'self'").contains("default-src 'none'")
                    .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(p.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(p.header("Referrer-Policy")).isEqualTo("same-origin");
            assertThat(p.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(p.body()).doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContainPattern("\\son[a-z]+=")
                    .doesNotContain("<style");
        }
        for (String file : new String[] {"passkeys.js", "webauthn.js", "approvals.js"}) {
            PagesClient.Page script = browser.get("/ui/static/" + file);
            assertThat(script.status()).as(file).isEqualTo(200);
            assertThat(script.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        }
    }

    @Test
    void browserCookieIsHostOnlySecureHttpOnlyAndStrict() {
        PagesClient.Page first = browser.get("/ui/");
        signedInAs("alice", "alice@example.com", null);
        String setBySignedInPage = browser.get("/ui/").setCookies().stream().findFirst().orElse(null);

        assertThat(first.setCookies()).singleElement().satisfies(c -> assertThat(c)
                .startsWith(Cookies.BROWSER + "=stint_b_").contains("; Path=/").contains("; Secure")
                .containsIgnoringCase("; HttpOnly").contains("; SameSite=Strict").doesNotContainIgnoringCase("domain="));
        assertThat(setBySignedInPage).isNull();
        assertThat(browser.cookies.get(Cookies.SESSION)).startsWith("stint_ui_");
    }

    @Test
    void sessionCookieIsHostOnlySecureHttpOnlyAndStrict() {
        People.enroll(broker, browser, People.register(broker, "alice", "alice@example.com", null), key);
        JsonNode options = People.signInOptions(browser);

        PagesClient.Page signedIn = People.finishSignIn(browser, options,
                key.assertion(People.honest(broker, options.at("/public_key/challenge").asText())));

        assertThat(signedIn.setCookies()).singleElement().satisfies(c -> assertThat(c)
                .startsWith(Cookies.SESSION + "=stint_ui_").contains("; Path=/").contains("; Secure")
                .containsIgnoringCase("; HttpOnly").contains("; SameSite=Strict").doesNotContainIgnoringCase("domain=")
                .doesNotContainIgnoringCase("max-age"));
    }
}
