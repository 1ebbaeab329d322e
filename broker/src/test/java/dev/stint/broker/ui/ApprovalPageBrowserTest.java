package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.approvals.Approvers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * An approver decides a guarded task in a real headless Chromium, whose virtual authenticator
 * stands in for their passkey: enrol, sign in, find the request, approve or deny it. With the
 * system property {@code stint.screenshots} set to a directory (from the module:
 * {@code -Dstint.screenshots=../docs/screenshots}), the approval test also saves the pictures of
 * the pages the README shows.
 */
class ApprovalPageBrowserTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final Dimension DESKTOP = new Dimension(1000, 1000);
    static final Dimension PHONE = new Dimension(412, 2400);

    @TempDir
    Path dir;
    BrokerHarness broker;
    ChromeDriver chromium;
    GuardedRequests agent;
    GuardedRequests.Opened opened;

    @BeforeEach
    void start() throws Exception {
        broker = BrokerHarness.start(dir.resolve("data"), new MutableClock(GuardedRequests.TUESDAY));
        agent = GuardedRequests.ownedBy(broker, "alice@example.com");
        agent.open("read the orders table before the cleanup", "[\"db:orders:read\",\"db:orders:delete\"]");
        opened = agent.open("Delete the test orders left by load test LT-2291 (ticket OPS-4127)");
        chromium = HeadlessChromium.start(dir.resolve("profile"));
        chromium.manage().window().setSize(DESKTOP);
        ((HasVirtualAuthenticator) chromium).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true));
    }

    @AfterEach
    void stop() {
        if (chromium != null) {
            chromium.quit();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void approverApprovesWithTheirPasskeyAndTheQuorumActivatesTheTask() throws IOException {
        enrolAndSignInAtTheRequests("bob", "Bob Builder");
        screenshot("approvals-pending.png", DESKTOP);

        openTheRequest();
        chromium.findElement(By.id("comment")).sendKeys("Checked OPS-4127: test data only");
        screenshot("approval-request.png", PHONE);
        chromium.findElement(By.id("approve")).click();
        HeadlessChromium.waitUntil("the approval shows among the verdicts", () -> chromium.findElement(By.id("verdicts"))
                .findElement(By.xpath("..")).getText().contains("Approved by Bob Builder")
                || chromium.findElement(By.id("status")).getText().startsWith("Not approved"), PATIENCE);

        assertThat(chromium.findElement(By.id("cannot")).getText()).startsWith("You approved this request at");
        assertThat(chromium.findElements(By.id("approve"))).isEmpty();
        assertThat(chromium.findElement(By.cssSelector(".verdicts")).getText())
                .contains("Checked OPS-4127: test data only");
        assertThat(agent.taskStatus(opened.taskId())).isEqualTo("pending_approval");

        Approvers carol = Approvers.signedIn(broker, "carol", "carol@example.com", "Carol Chen", "[\"approver\"]");
        assertThat(carol.approve(opened.approvalId(), "Fine by me").status()).isEqualTo(200);

        assertThat(agent.taskStatus(opened.taskId())).isEqualTo("active");
        chromium.navigate().refresh();
        assertThat(chromium.findElement(By.id("request-status")).getText()).isEqualTo("Approved");
        chromium.get(People.pages(broker) + "/ui/approvals?status=approved");
        assertThat(chromium.findElement(By.id("requests")).getText()).contains("Approved by Bob Builder")
                .contains("Approved by Carol Chen");
        screenshot("approvals-decided.png", DESKTOP);
    }

    @Test
    void approverDeniesWithACommentAndTheTaskEnds() {
        enrolAndSignInAtTheRequests("bob", "Bob Builder");
        openTheRequest();

        chromium.findElement(By.id("comment")).sendKeys("Not during the migration");
        chromium.findElement(By.id("deny")).click();
        HeadlessChromium.waitUntil("the request shows as denied", () -> chromium.findElement(By.id("request-status"))
                .getText().equals("Denied") || chromium.findElement(By.id("status")).getText().startsWith("Not denied"),
                PATIENCE);

        assertThat(chromium.findElement(By.cssSelector(".verdicts")).getText()).contains("Denied by Bob Builder")
                .contains("Not during the migration");
        assertThat(agent.taskStatus(opened.taskId())).isEqualTo("denied");
    }

    /** Registers a passkey from the enrollment link, then signs in at the requests page, which comes back to it. */
    private void enrolAndSignInAtTheRequests(String id, String name) {
        String secret = People.register(broker, id, id + "@example.com", name);
        chromium.get(People.pages(broker) + "/ui/enroll#" + secret);
        WebElement enroll = chromium.findElement(By.id("enroll"));
        HeadlessChromium.waitUntil("the enrollment link is checked", enroll::isEnabled, PATIENCE);
        enroll.click();
        HeadlessChromium.waitUntil("the passkey is registered", () -> chromium.findElement(By.id("done")).isDisplayed(),
                PATIENCE);

        chromium.get(People.pages(broker) + "/ui/approvals");
        assertThat(chromium.findElement(By.id("notice")).getText()).isEqualTo("Sign in to see approval requests.");
        chromium.findElement(By.id("sign-in")).click();
        HeadlessChromium.waitUntil("the pending requests show", () -> !chromium.findElements(By.id("requests")).isEmpty()
                || chromium.findElement(By.id("status")).getText().startsWith("Not signed in"), PATIENCE);

        assertThat(chromium.getCurrentUrl()).isEqualTo(People.pages(broker) + "/ui/approvals");
        assertThat(chromium.findElement(By.id("who")).getText()).isEqualTo(name);
        assertThat(chromium.findElement(By.id("count")).getText()).isEqualTo("2 pending requests, newest first.");
    }

    private void openTheRequest() {
        chromium.findElement(By.cssSelector("[data-approval=\"" + opened.approvalId() + "\"] h2 a")).click();
        HeadlessChromium.waitUntil("the request shows", () -> !chromium.findElements(By.id("digest")).isEmpty(),
                PATIENCE);
        assertThat(chromium.findElement(By.tagName("h1")).getText())
                .isEqualTo("demo-agent asks for db:orders:delete in prod");
        assertThat(chromium.findElement(By.cssSelector("label[for=comment]")).getText()).isEqualTo("Comment");
    }

    /** Saves the page as the README's {@code name}, only when asked to (so test runs change no file). */
    private void screenshot(String name, Dimension size) throws IOException {
        String to = System.getProperty("stint.screenshots");
        if (to == null || to.isBlank()) {
            return;
        }
        Dimension before = chromium.manage().window().getSize();
        chromium.manage().window().setSize(size);
        // Only the page's height: no empty band under a short page.
        int height = chromium.findElement(By.tagName("html")).getSize().height;
        chromium.manage().window().setSize(new Dimension(size.width, Math.min(size.height, height + 140)));
        Path file = Files.createDirectories(Path.of(to)).resolve(name);
        Files.copy(chromium.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        chromium.manage().window().setSize(before);
    }
}
