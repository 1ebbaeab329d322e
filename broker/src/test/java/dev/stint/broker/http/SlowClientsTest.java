package dev.stint.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.HttpLimits;
import dev.stint.broker.MutableClock;
import dev.stint.broker.http.RawHttp.Answer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slowloris: clients that open connections and send their requests slowly, or not at all, cannot
 * hold the broker. A connection without a complete request head is closed after the head
 * deadline, a stalled one after the idle timeout, and connections past the cap at once, while
 * everyone else keeps being served. These wait on real sockets (network deadlines run on the
 * event loop's timers, not on the test clock), so the deadlines here are about a second.
 */
class SlowClientsTest {

    static final Duration HEAD_DEADLINE = Duration.ofSeconds(1);
    /** Long enough that a test about the head deadline never sees the idle timeout instead. */
    static final Duration LONG = Duration.ofSeconds(20);
    /** How late a close may come after its deadline on a busy two-core machine. */
    static final Duration SLACK = Duration.ofSeconds(2);
    static final String HEALTH = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @TempDir
    Path dataDir;

    BrokerHarness broker;
    final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void healthAnswersPromptlyWhileSlowClientsHoldHalfSentHeads() throws Exception {
        start(new HttpLimits(Duration.ofSeconds(5), LONG, 64));
        for (int i = 0; i < 40; i++) {
            RawHttp.send(open(), "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
        }

        long before = System.nanoTime();
        Answer health = RawHttp.exchange(broker.port(), HEALTH);

        assertThat(health.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
    }

    static Stream<Arguments> incompleteHeads() {
        return Stream.of(
                Arguments.of("nothing at all", ""),
                Arguments.of("half a request line", "GET /hea"),
                Arguments.of("a request line and a header, but no blank line",
                        "GET /health HTTP/1.1\r\nHost: localhost\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("incompleteHeads")
    void connectionWithoutACompleteHeadIsClosedAfterTheDeadline(String name, String incompleteHead) throws Exception {
        start(new HttpLimits(HEAD_DEADLINE, LONG, 64));
        Socket socket = open();
        long opened = System.nanoTime();
        RawHttp.send(socket, incompleteHead);

        Duration closedAfter = RawHttp.closedAfter(socket, opened, HEAD_DEADLINE.plus(SLACK));

        assertThat(closedAfter).isGreaterThanOrEqualTo(HEAD_DEADLINE.minusMillis(100));
    }

    /** Each byte resets the idle timeout; only the head deadline ends this one. */
    @Test
    void headTrickledAByteAtATimeIsClosedAfterTheDeadline() throws Exception {
        start(new HttpLimits(HEAD_DEADLINE, LONG, 64));
        Socket socket = open();
        long opened = System.nanoTime();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            byte[] head = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .getBytes(StandardCharsets.ISO_8859_1);
            int[] next = {0};
            trickle.scheduleAtFixedRate(() -> {
                try {
                    socket.getOutputStream().write(head[next[0]++ % head.length]);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // closed: stop writing
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            Duration closedAfter = RawHttp.closedAfter(socket, opened, HEAD_DEADLINE.plus(SLACK));

            assertThat(closedAfter).isGreaterThanOrEqualTo(HEAD_DEADLINE.minusMillis(100));
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void keptAliveConnectionIsClosedWhenTheNextHeadDoesNotArrive() throws Exception {
        start(new HttpLimits(HEAD_DEADLINE, LONG, 64));
        Socket socket = open();
        RawHttp.send(socket, HEALTH);
        assertThat(RawHttp.read(socket, false).status()).isEqualTo(200);
        long answered = System.nanoTime();
        RawHttp.send(socket, "GET /health HTTP/1.1\r\n");

        Duration closedAfter = RawHttp.closedAfter(socket, answered, HEAD_DEADLINE.plus(SLACK));

        assertThat(closedAfter).isGreaterThanOrEqualTo(HEAD_DEADLINE.minusMillis(100));
    }

    /** Three requests over about twice the deadline on one connection: each head restarts it. */
    @Test
    void keptAliveConnectionServesEveryHeadThatArrivesInTime() throws Exception {
        start(new HttpLimits(HEAD_DEADLINE, LONG, 64));
        Socket socket = open();

        for (int i = 0; i < 3; i++) {
            RawHttp.send(socket, HEALTH);
            assertThat(RawHttp.read(socket, false).status()).as("request " + (i + 1)).isEqualTo(200);
            Thread.sleep(HEAD_DEADLINE.toMillis() * 6 / 10);
        }
    }

    /** Two requests in one write: the second's head is already in when the first is answered. */
    @Test
    void pipelinedRequestsAreBothAnswered() throws Exception {
        start(new HttpLimits(HEAD_DEADLINE, LONG, 64));
        Socket socket = open();

        RawHttp.send(socket, HEALTH + HEALTH);

        assertThat(RawHttp.read(socket, false).status()).isEqualTo(200);
        assertThat(RawHttp.read(socket, false).status()).isEqualTo(200);
    }

    @Test
    void stalledBodyIsClosedAfterTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(1);
        start(new HttpLimits(LONG, idle, 64));
        Socket socket = open();
        RawHttp.send(socket, "POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"tier\":");
        long stalled = System.nanoTime();

        Duration closedAfter = RawHttp.closedAfter(socket, stalled, idle.plus(SLACK));

        assertThat(closedAfter).isGreaterThanOrEqualTo(idle.minusMillis(100));
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceAndServedAgainWhenOneEnds() throws Exception {
        int cap = 8;
        start(new HttpLimits(LONG, LONG, cap));
        for (int i = 0; i < cap; i++) {
            // An answered request proves the connection was admitted and is counted.
            Socket held = open();
            RawHttp.send(held, HEALTH);
            assertThat(RawHttp.read(held, false).status()).isEqualTo(200);
        }

        Socket refused = open();
        Duration closedAfter = RawHttp.closedAfter(refused, System.nanoTime(), SLACK);
        assertThat(closedAfter).isLessThan(SLACK);
        assertThat(healthOnANewConnection()).as("while the cap is reached").isFalse();

        sockets.remove(0).close();

        assertThat(eventually(this::healthOnANewConnection)).as("after one connection ended").isTrue();
    }

    // steps

    private void start(HttpLimits limits) {
        broker = BrokerHarness.start(dataDir, new MutableClock(Instant.parse("2026-11-24T10:00:00Z")), limits);
    }

    private Socket open() {
        Socket socket = RawHttp.connect(broker.port());
        sockets.add(socket);
        return socket;
    }

    /** GET /health on a fresh connection; {@code false} when the connection is closed unanswered. */
    private boolean healthOnANewConnection() {
        try (Socket socket = RawHttp.connect(broker.port())) {
            RawHttp.send(socket, HEALTH);
            return RawHttp.read(socket, false).status() == 200;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** Tries {@code check} for up to two seconds: the server notices a closed connection a moment later. */
    private static boolean eventually(BooleanSupplier check) throws InterruptedException {
        long until = System.nanoTime() + SLACK.toNanos();
        while (System.nanoTime() < until) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
