package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up reads and writes files (the master key, the data directory) on worker threads: while
 * the master key is slow to read, the event loop keeps serving, and the bound port answers a
 * problem saying the broker is starting. The slow file is a named pipe, whose read blocks until
 * the test writes the key into it.
 */
@EnabledOnOs(OS.LINUX)
class StartupOffTheEventLoopTest {

    @TempDir
    Path work;

    Vertx vertx;

    private Path masterKey;

    @AfterEach
    void stop() throws Exception {
        // Whatever the test found, let a reader still waiting on the pipe finish, so start-up ends.
        Path pipe = masterKey;
        Thread feeder = new Thread(() -> {
            if (pipe != null) {
                feed(pipe);
            }
        });
        feeder.setDaemon(true);
        feeder.start();
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void eventLoopServesWhileTheMasterKeyIsStillBeingRead() throws Exception {
        masterKey = work.resolve("master.key");
        assertThat(new ProcessBuilder("mkfifo", masterKey.toString()).start().waitFor()).isZero();
        // One event loop: were start-up to read the pipe on it, nothing else could run there.
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        BrokerOptions options = BrokerOptions.defaults(BrokerHarness.SAMPLE_POLICY).withPort(0)
                .withDataDir(work.resolve("data")).withMasterKeyFile(masterKey);
        BrokerVerticle broker = new BrokerVerticle(options, new MutableClock(Instant.parse("2026-11-24T10:00:00Z")));
        Future<String> started = vertx.deployVerticle(broker);

        AtomicInteger ticks = new AtomicInteger();
        vertx.setPeriodic(50, id -> ticks.incrementAndGet());
        // The admin credential is written just before the keys are unsealed: from then on start-up
        // waits on the pipe. Watch the event loop for a second of that wait.
        Path adminToken = work.resolve("data").resolve("admin.token");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(adminToken) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(adminToken).exists();
        Thread.sleep(300);
        int before = ticks.get();
        Thread.sleep(1_000);

        assertThat(ticks.get() - before).as("timer ticks on the event loop during a second of the wait")
                .isGreaterThanOrEqualTo(5);
        assertThat(started.isComplete()).as("start-up is still waiting for the master key").isFalse();
        HttpResponse<String> meanwhile = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + broker.actualPort() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(meanwhile.statusCode()).isEqualTo(503);
        assertThat(meanwhile.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(meanwhile.body()).contains("the broker is starting");
        feed(masterKey);
        assertThat(started.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isNotBlank();
    }

    /** Writes a master key into the pipe (blocks until someone reads it). */
    private static void feed(Path pipe) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            Files.writeString(pipe, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
