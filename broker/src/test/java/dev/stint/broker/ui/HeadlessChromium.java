package dev.stint.broker.ui;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, with a fresh profile, driven through Debian's chromedriver (so
 * Selenium Manager never runs and nothing is downloaded). A missing browser fails the test with
 * what to install: the browser tests never skip.
 */
final class HeadlessChromium {

    static final File BROWSER = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    static ChromeDriver start(Path profile) throws IOException {
        if (!BROWSER.canExecute() || !DRIVER.canExecute()) {
            throw new AssertionError("the browser tests need Debian's Chromium and its driver at " + BROWSER + " and "
                    + DRIVER + ": run ./run-tests (it installs them), or as root: apt-get install -y chromium"
                    + " chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + Files.createDirectories(profile));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Polls {@code condition} (a page's script works asynchronously) until it holds or {@code within} passes. */
    static void waitUntil(String what, BooleanSupplier condition, Duration within) {
        Instant deadline = Instant.now().plus(within);
        WebDriverException lastChange = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (WebDriverException e) {
                lastChange = e;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what, lastChange);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }

    /*
     * A condition that throws is read as not yet met: while the page navigates, an element found a
     * moment ago may be gone before the next call reads it, and Chromium reports that in several
     * ways (no such element, stale element, or "node does not belong to the document" as an
     * unknown error). If the wait times out, the last of them is the timeout's cause.
     */
}
