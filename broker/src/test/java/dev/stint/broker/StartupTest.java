package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.stint.broker.http.LogCapture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Start-up refuses what would leave a broker half-working: a busy port (before anything is
 * written), a data directory another broker holds, an invalid deployment file (before anything
 * starts); and it warns while the master key lies in the data directory.
 */
class StartupTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path work;

    MutableClock clock = new MutableClock(START);
    BrokerHarness first;
    BrokerHarness second;
    Process other;

    @AfterEach
    void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
        if (other != null) {
            other.destroyForcibly();
        }
    }

    @Test
    void busyPortFailsNamingHostAndPortBeforeTheDataDirectoryIsCreated() throws Exception {
        Path dataDir = work.resolve("data");
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();

            Throwable failure = catchThrowable(() -> BrokerHarness.start(dataDir, clock, o -> o.withPort(port)));

            assertThat(failure).isInstanceOf(CompletionException.class);
            assertThat(failure.getCause()).hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ");
            assertThat(dataDir).doesNotExist();
        }
    }

    @Test
    void secondBrokerOnTheSameDataDirectoryFailsNamingTheProcessHoldingIt() {
        Path dataDir = work.resolve("data");
        first = BrokerHarness.start(dataDir, clock);

        Throwable failure = catchThrowable(() -> second = BrokerHarness.start(dataDir, clock));

        assertThat(failure).isInstanceOf(CompletionException.class);
        assertThat(failure.getCause()).hasMessage("data directory " + dataDir + " is in use by another broker (pid "
                + ProcessHandle.current().pid() + ", started " + START + "); stop that broker first, or give this one"
                + " another --data-dir");
        assertThat(first.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void dataDirectoryIsFreeForANewBrokerOnceTheFirstStops() {
        Path dataDir = work.resolve("data");
        first = BrokerHarness.start(dataDir, clock);
        String admin = first.adminToken();
        first.close();

        second = BrokerHarness.start(dataDir, clock);

        assertThat(second.get("/health", null).status()).isEqualTo(200);
        assertThat(second.get("/v1/audit/verify", admin).status()).isEqualTo(200);
    }

    @Test
    void brokerProcessHoldingTheDataDirectoryIsNamedByPidAndKillMinusNineFreesIt() throws Exception {
        Path dataDir = work.resolve("data");
        other = startBrokerProcess(dataDir);

        Throwable failure = catchThrowable(() -> second = BrokerHarness.start(dataDir, clock));
        other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        second = BrokerHarness.start(dataDir, clock);

        assertThat(failure.getCause()).hasMessageContaining("is in use by another broker (pid " + other.pid() + ", started ");
        assertThat(second.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void badDeploymentFileExitsTwoNamingItsLineBeforeAnythingStarts() throws Exception {
        Path dataDir = work.resolve("data");
        Path config = work.resolve("deploy.yaml");
        Files.writeString(config, "store:\n  postgres:\n    host: db.internal\n    port: 70000\n");
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new StintBroker());
        command.setErr(new PrintWriter(err));

        int exit = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> command.execute("broker",
                "--data-dir", dataDir.toString(), "--policy", BrokerHarness.SAMPLE_POLICY.toString(),
                "--config", config.toString()));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("stint: deploy.yaml:4:11: store.postgres.port: '70000' is not a port"
                + " (1-65535)" + System.lineSeparator());
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void startupWarnsWhileTheMasterKeyLiesInTheDataDirectory() {
        List<ILoggingEvent> warnings = captureWarnings(() -> first = BrokerHarness.start(work.resolve("data"), clock));

        assertThat(warnings).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(message -> assertThat(message).contains("lies inside the data directory")
                        .contains("--master-key-file"));
    }

    @Test
    void startupDoesNotWarnWhenTheMasterKeyIsKeptElsewhere() {
        Path elsewhere = work.resolve("secrets").resolve("master.key");

        List<ILoggingEvent> warnings = captureWarnings(() -> first = BrokerHarness.start(work.resolve("data"), clock,
                o -> o.withMasterKeyFile(elsewhere)));

        assertThat(warnings).extracting(ILoggingEvent::getFormattedMessage)
                .noneSatisfy(message -> assertThat(message).contains("master key"));
        assertThat(elsewhere).exists();
        assertThat(work.resolve("data").resolve("master.key")).doesNotExist();
    }

    private static List<ILoggingEvent> captureWarnings(Runnable action) {
        try (LogCapture log = new LogCapture(BrokerVerticle.class)) {
            action.run();
            return log.warnings();
        }
    }


    /** A broker in a separate JVM on {@code dataDir}, healthy when this returns. */
    private Process startBrokerProcess(Path dataDir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = work.resolve("other-broker.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StintBroker.class.getName(), "broker",
                "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--policy", BrokerHarness.SAMPLE_POLICY.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("broker exited: " + Files.readString(log));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("broker did not become healthy: " + Files.readString(log));
    }
}
