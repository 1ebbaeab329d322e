package dev.stint.broker.ui;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
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
        while (!holds(condition)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }

    /**
     * The condition, read as not yet met while the page is changing under it: an element found a
     * moment ago may be gone (the page navigated) before the next call reads it.
     */
    private static boolean holds(BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
            return false;
        }
    }
}
