package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * A person registers a passkey from their enrollment link and signs in with it, in a real
 * headless Chromium whose virtual authenticator (CTAP2, internal, resident keys, user verified)
 * stands in for a phone's or laptop's.
 */
class PasskeyBrowserTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    BrokerHarness broker;
    ChromeDriver chromium;
    VirtualAuthenticator authenticator;

    @BeforeEach
    void start() throws Exception {
        broker = BrokerHarness.start(dir.resolve("data"), new MutableClock(Instant.now()));
        chromium = HeadlessChromium.start(dir.resolve("profile"));
        authenticator = ((HasVirtualAuthenticator) chromium).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
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
    void personEnrollsAPasskeyAndSignsInWithIt() {
        String secret = People.register(broker, "alice", "alice@example.com", "Alice <b>Ops</b>");

        chromium.get(People.pages(broker) + "/ui/enroll#" + secret);
        WebElement enroll = chromium.findElement(By.id("enroll"));
        HeadlessChromium.waitUntil("the enrollment link is checked", enroll::isEnabled, PATIENCE);
        assertThat(chromium.findElement(By.id("who")).getText()).contains("Alice <b>Ops</b>");
        assertThat(chromium.getCurrentUrl()).doesNotContain(secret);
        enroll.click();
        HeadlessChromium.waitUntil("the passkey is registered", () -> chromium.findElement(By.id("done")).isDisplayed()
                || chromium.findElement(By.id("status")).getText().startsWith("No passkey"), PATIENCE);
        assertThat(chromium.findElement(By.id("status")).getText()).isEmpty();
        assertThat(authenticator.getCredentials()).hasSize(1);

        chromium.get("http://127.0.0.1:" + broker.port() + "/ui/");
        assertThat(chromium.getCurrentUrl()).isEqualTo(People.pages(broker) + "/ui/");
        chromium.findElement(By.id("sign-in")).click();
        HeadlessChromium.waitUntil("the signed-in page shows", () -> !chromium.findElements(By.id("sign-out")).isEmpty()
                || !chromium.findElements(By.id("status")).isEmpty()
                        && chromium.findElement(By.id("status")).getText().startsWith("Not signed in"), PATIENCE);

        assertThat(chromium.findElements(By.id("status"))).allSatisfy(s -> assertThat(s.getText()).isEmpty());
        assertThat(chromium.findElement(By.id("who")).getText())
                .isEqualTo("Signed in as Alice <b>Ops</b> alice@example.com");
        assertThat(chromium.manage().getCookieNamed(Cookies.SESSION).isHttpOnly()).isTrue();

        chromium.findElement(By.id("sign-out")).click();
        HeadlessChromium.waitUntil("the sign-in page is back", () -> !chromium.findElements(By.id("sign-in")).isEmpty(),
                PATIENCE);
        assertThat(chromium.manage().getCookieNamed(Cookies.SESSION)).isNull();
    }
}
