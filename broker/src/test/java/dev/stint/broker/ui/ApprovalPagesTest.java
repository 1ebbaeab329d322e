package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.approvals.Approvers;
import dev.stint.broker.people.TestAuthenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The approval pages through the real router, read by a browser without a browser: what they
 * show, to whom, and that nothing a person or an agent wrote ever becomes markup.
 */
class ApprovalPagesTest {

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(GuardedRequests.TUESDAY);
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
    void pendingListShowsEachRequestsContextNewestFirst() {
        GuardedRequests agent = GuardedRequests.ownedBy(broker, "alice@example.com");
        GuardedRequests.Opened older = agent.open("purge orders of load test LT-2291");
        clock.advance(Duration.ofSeconds(30));
        GuardedRequests.Opened newer = agent.open("delete duplicate orders from import #88");
        signedInAs("bob", "bob@example.com", "Bob");

        PagesClient.Page list = browser.get("/ui/approvals");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("2 pending requests, newest first.")
                .contains("<a href=\"/ui/approvals?status=pending\" aria-current=\"page\">Pending</a>")
                .contains("demo-agent asks for db:orders:delete in prod").contains("alice@example.com")
                .contains("<code>db:orders:delete</code>").contains("0 of 2");
        assertThat(list.body().indexOf(newer.approvalId())).isPositive()
                .isLessThan(list.body().indexOf(older.approvalId()));
        assertThat(list.body().indexOf("delete duplicate orders")).isLessThan(list.body().indexOf("purge orders"));
    }

    @Test
    void requestPageShowsTheDigestTheCommentBoxAndBothButtons() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com")
                .open("purge orders of load test LT-2291");
        signedInAs("bob", "bob@example.com", "Bob");
        String digest = broker.get("/v1/approvals/" + opened.approvalId(), broker.adminToken()).text("digest");

        String page = browser.get("/ui/approvals/" + opened.approvalId()).body();

        assertThat(page).contains("<code id=\"digest\" class=\"digest\">" + digest + "</code>")
                .contains("<code>" + opened.taskId() + "</code>")
                .contains("<label for=\"comment\">Comment</label>")
                .contains("<textarea id=\"comment\"")
                .contains("<button type=\"button\" id=\"approve\" class=\"approve\">Approve</button>")
                .contains("<button type=\"button\" id=\"deny\" class=\"deny\">Deny</button>")
                .contains("role=\"status\" aria-live=\"polite\"")
                .contains("data-approve-with=\"passkey\"")
                .contains("Nobody has decided yet.");
    }

    @Test
    void ownerMayDenyButIsNotOfferedApprove() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "Alice@Example.com").open("purge");
        signedInAs("alice", "alice@example.com", "Alice");

        String page = browser.get("/ui/approvals/" + opened.approvalId()).body();

        assertThat(page).contains("You own agent demo-agent: another approver must approve its task.")
                .contains("id=\"deny\"").doesNotContain("id=\"approve\"");
    }

    @Test
    void personWhoDecidedSeesTheirVerdictAndNoButtons() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com").open("purge");
        Approvers bob = Approvers.signedIn(broker, "bob", "bob@example.com", "Bob", "[\"approver\"]");
        assertThat(bob.approve(opened.approvalId(), "checked OPS-4127").status()).isEqualTo(200);

        String page = bob.browser.get("/ui/approvals/" + opened.approvalId()).body();

        assertThat(page).contains("You approved this request at 2026-11-24 10:00:00 UTC; nobody decides twice.")
                .contains("Approved by <strong class=\"person\">Bob</strong>")
                .contains("checked OPS-4127").contains("1 of 2")
                .doesNotContain("id=\"approve\"").doesNotContain("id=\"deny\"");
    }

    @Test
    void nonApproverIsToldWhyAndOfferedNothing() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com").open("purge");
        Approvers auditor = Approvers.signedIn(broker, "erin", "erin@example.com", "[\"auditor\"]");

        String page = auditor.browser.get("/ui/approvals/" + opened.approvalId()).body();

        assertThat(page).contains("Only approvers decide requests, and you are not one.")
                .doesNotContain("id=\"approve\"").doesNotContain("id=\"deny\"");
    }

    @Test
    void decidedListShowsWhoApprovedAndWhen() {
        GuardedRequests agent = GuardedRequests.ownedBy(broker, "alice@example.com");
        GuardedRequests.Opened opened = agent.open("purge orders of load test LT-2291");
        Approvers bob = Approvers.signedIn(broker, "bob", "bob@example.com", "Bob", "[\"approver\"]");
        Approvers carol = Approvers.approver(broker, "carol");
        bob.approve(opened.approvalId(), "checked OPS-4127");
        clock.advance(Duration.ofSeconds(90));
        carol.approve(opened.approvalId());

        String approved = bob.browser.get("/ui/approvals?status=approved").body();
        String pending = bob.browser.get("/ui/approvals").body();
        String request = bob.browser.get("/ui/approvals/" + opened.approvalId()).body();

        assertThat(agent.taskStatus(opened.taskId())).isEqualTo("active");
        assertThat(approved).contains("1 approved request, newest first.").contains(opened.approvalId())
                .contains("Approved by <strong class=\"person\">Bob</strong> <span class=\"email\">(bob@example.com)"
                        + "</span> at <time datetime=\"2026-11-24T10:00:00Z\">2026-11-24 10:00:00 UTC</time>")
                .contains("Approved by <strong class=\"person\">carol@example.com</strong> at"
                        + " <time datetime=\"2026-11-24T10:01:30Z\">")
                .contains("<blockquote class=\"comment\">checked OPS-4127</blockquote>").contains("2 of 2");
        assertThat(pending).contains("No pending requests.").doesNotContain(opened.approvalId());
        assertThat(request).contains("This request is approved: there is nothing left to decide.")
                .doesNotContain("id=\"approve\"");
    }

    @Test
    void deniedListShowsWhoDeniedWithTheirComment() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com").open("purge");
        Approvers bob = Approvers.signedIn(broker, "bob", "bob@example.com", "Bob", "[\"approver\"]");
        bob.deny(opened.approvalId(), "not during the migration");

        String denied = bob.browser.get("/ui/approvals?status=denied").body();

        assertThat(denied).contains("Denied by <strong class=\"person\">Bob</strong>")
                .contains("<blockquote class=\"comment\">not during the migration</blockquote>");
    }

    static Stream<Arguments> markup() {
        return Stream.of(
                Arguments.of("script element", "<script>alert(1)</script>"),
                Arguments.of("attribute breakout with an image", "\"><img src=x onerror=alert(1)>"),
                Arguments.of("single-quoted breakout with svg", "'><svg onload=alert(1)>"),
                Arguments.of("entity that would decode to markup", "&lt;b&gt;bold&lt;/b&gt; & friends"));
    }

    /**
     * Every field a person or an agent wrote, on every page that shows it: the agent's owner, the
     * task's purpose, the viewer's name, another approver's name and the comments of verdicts.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("markup")
    void markupInEveryFieldShowsAsText(String name, String markup) {
        // Still an email in the end: an owner that names none lets nobody approve.
        GuardedRequests agent = GuardedRequests.ownedBy(broker, "ops " + markup + " <ops@example.com>");
        GuardedRequests.Opened approving = agent.open("purpose " + markup);
        GuardedRequests.Opened denying = agent.open("purpose " + markup);
        Approvers mallory = Approvers.signedIn(broker, "mallory", "o'brien&co@example.com", "name " + markup,
                "[\"approver\"]");
        assertThat(mallory.approve(approving.approvalId(), "approve " + markup).status()).isEqualTo(200);
        assertThat(mallory.deny(denying.approvalId(), "deny " + markup).status()).isEqualTo(200);
        signedInAs("viewer", "viewer@example.com", "viewer " + markup);

        List<PagesClient.Page> pages = List.of(browser.get("/ui/approvals"),
                browser.get("/ui/approvals/" + approving.approvalId()),
                browser.get("/ui/approvals?status=denied"), browser.get("/ui/approvals/" + denying.approvalId()));

        String escaped = Html.escape(markup);
        assertThat(pages).allSatisfy(page -> {
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).doesNotContain(markup).contains("ops " + escaped).contains("purpose " + escaped)
                    .contains("viewer " + escaped).contains("name " + escaped).contains("o&#39;brien&amp;co@example.com");
            assertOnlyOwnScript(page);
        });
        assertThat(pages.get(1).body()).contains("approve " + escaped);
        assertThat(pages.get(2).body()).contains("deny " + escaped);
    }

    @Test
    void pagesLoadTheirScriptFileOnlyUnderTheContentSecurityPolicy() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com").open("purge");
        signedInAs("bob", "bob@example.com", "Bob");

        for (String path : List.of("/ui/approvals", "/ui/approvals/" + opened.approvalId(), "/ui/approvals/apr_gone")) {
            PagesClient.Page page = browser.get(path);
            assertThat(page.header("Content-Security-Policy")).as(path).isEqualTo(Pages.CONTENT_SECURITY_POLICY);
            assertOnlyOwnScript(page);
        }
        PagesClient.Page script = browser.get("/ui/static/approvals.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
    }

    @Test
    void homePageLinksToTheRequests() {
        signedInAs("bob", "bob@example.com", "Bob");

        assertThat(browser.get("/ui/").body())
                .contains("<a id=\"approvals\" class=\"button\" href=\"/ui/approvals\">Approval requests</a>");
    }

    @Test
    void strangerGetsTheSignInPageThatComesBackHere() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com").open("purge secret-ish");

        PagesClient.Page list = browser.get("/ui/approvals");
        PagesClient.Page request = browser.get("/ui/approvals/" + opened.approvalId());

        assertThat(list.status()).isEqualTo(401);
        assertThat(list.body()).contains("Sign in to see approval requests.").contains("Sign in with a passkey")
                .contains("data-next=\"/ui/approvals\"").doesNotContain(opened.approvalId())
                .doesNotContain("purge secret-ish");
        assertThat(request.status()).isEqualTo(401);
        assertThat(request.body()).contains("data-next=\"/ui/approvals/" + opened.approvalId() + "\"")
                .doesNotContain("purge secret-ish");
    }

    @Test
    void expiredSessionGoesBackToSignIn() {
        GuardedRequests.Opened opened = GuardedRequests.ownedBy(broker, "alice@example.com").open("purge");
        signedInAs("bob", "bob@example.com", "Bob");
        assertThat(browser.get("/ui/approvals").status()).isEqualTo(200);

        clock.advance(Sessions.DEFAULT_IDLE.plusSeconds(1));
        PagesClient.Page expired = browser.get("/ui/approvals/" + opened.approvalId());

        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body()).contains("Your session has ended. Sign in again to see approval requests.")
                .contains("Sign in with a passkey").doesNotContain("id=\"approve\"");
        assertThat(expired.setCookies()).anyMatch(c -> c.startsWith(Cookies.SESSION + "=;") && c.contains("Max-Age=0"));
    }

    static Stream<Arguments> missing() {
        return Stream.of(
                Arguments.of("unknown id", "/ui/approvals/apr_unknown", 404),
                Arguments.of("not an approval id", "/ui/approvals/tsk_123", 404),
                Arguments.of("id too long", "/ui/approvals/apr_" + "a".repeat(65), 404),
                Arguments.of("markup as id", "/ui/approvals/%3Cimg%20src=x%20onerror=alert(1)%3E", 404),
                Arguments.of("unknown status", "/ui/approvals?status=%3Cb%3Eall", 400),
                Arguments.of("status twice", "/ui/approvals?status=pending&status=denied", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missing")
    void addressThatNamesNoRequestGetsAPageNeverAnError(String name, String path, int status) {
        signedInAs("bob", "bob@example.com", "Bob");

        PagesClient.Page page = browser.get(path);

        assertThat(page.status()).isEqualTo(status);
        assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.body()).containsAnyOf("Request not found", "No such list").doesNotContain("<img")
                .doesNotContain("<b>all");
    }

    private static final Pattern SCRIPT = Pattern.compile("<script[^>]*>");
    private static final Pattern EVENT_ATTRIBUTE = Pattern.compile("<[^>]*\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);

    /** The page's only scripts are the shared file and its own, and no element carries a handler or a style of its own. */
    private static void assertOnlyOwnScript(PagesClient.Page page) {
        Matcher scripts = SCRIPT.matcher(page.body());
        int count = 0;
        java.util.List<String> expected = java.util.List.of("<script src=\"/ui/static/passkeys.js\" defer>",
                "<script src=\"/ui/static/approvals.js\" defer>");
        while (scripts.find()) {
            assertThat(count).isLessThan(expected.size());
            assertThat(scripts.group()).isEqualTo(expected.get(count));
            count++;
        }
        assertThat(count).isEqualTo(2);
        assertThat(page.body().split("</script>", -1)).hasSize(3);
        assertThat(EVENT_ATTRIBUTE.matcher(page.body()).find()).as("an on...= attribute").isFalse();
        assertThat(page.body()).doesNotContain(" style=").doesNotContain("<style");
    }
}
