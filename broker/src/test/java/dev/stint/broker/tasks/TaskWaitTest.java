package dev.stint.broker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET /v1/tasks/{id}?wait=N}: an agent waiting for approval is answered as soon as its
 * task's status changes, or when N seconds passed, and never waits before it is authenticated
 * and its task found. Timers run on real time, so the waits are short.
 */
class TaskWaitTest {

    /** A Tuesday, outside the sample policy's freezes. */
    static final Instant TUESDAY = Instant.parse("2026-11-24T10:00:00Z");
    /**
     * Far below the 30 s waits asked for: the answer came from the change, not from the wait running
     * out. A wide margin, since test machines stall; that the store's announcement (not the 2 s
     * re-read) is what wakes a waiter is {@link TaskWatchTest}'s to show.
     */
    static final Duration PROMPTLY = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;
    MutableClock clock = new MutableClock(TUESDAY);
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "prod"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private String pendingTask() {
        Response opened = broker.openTask(agentToken, "prod", "[\"db:orders:delete\"]", null);
        assertThat(opened.text("status")).as(opened.body()).isEqualTo("pending_approval");
        return opened.text("task_id");
    }

    /** A response and how long it took. */
    record Timed(Response response, Duration took) {
    }

    private CompletableFuture<Timed> getLater(String path, String bearer) {
        return CompletableFuture.supplyAsync(() -> timed(path, bearer));
    }

    private Timed timed(String path, String bearer) {
        long start = System.nanoTime();
        Response response = broker.get(path, bearer);
        return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Lets a request that was just sent reach the broker and start waiting. */
    private static void letItStartWaiting() throws InterruptedException {
        Thread.sleep(300);
    }

    @Test
    void waitAnswersAsSoonAsTheTaskIsEnded() throws Exception {
        String taskId = pendingTask();
        CompletableFuture<Timed> waiting = getLater("/v1/tasks/" + taskId + "?wait=30", agentToken);
        letItStartWaiting();

        Response ended = broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], agentToken);
        Timed answer = waiting.join();

        assertThat(ended.status()).as(ended.body()).isEqualTo(200);
        assertThat(answer.response().status()).as(answer.response().body()).isEqualTo(200);
        assertThat(answer.response().text("status")).isEqualTo("ended");
        assertThat(answer.response().text("end_reason")).isNotBlank();
        assertThat(answer.took()).isLessThan(PROMPTLY);
    }

    @Test
    void waitAnswersAsSoonAsTheAgentIsSuspended() throws Exception {
        String taskId = pendingTask();
        CompletableFuture<Timed> waiting = getLater("/v1/tasks/" + taskId + "?wait=30", agentToken);
        letItStartWaiting();

        Response suspended = broker.postRaw("/v1/agents/demo-agent/suspend", null, new byte[0], broker.adminToken());
        Timed answer = waiting.join();

        assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
        assertThat(answer.response().status()).as(answer.response().body()).isEqualTo(200);
        assertThat(answer.response().text("status")).isEqualTo("ended");
        assertThat(answer.took()).isLessThan(PROMPTLY);
    }

    @Test
    void waitThatEndsAnswersTheUnchangedStatus() {
        String taskId = pendingTask();

        Timed answer = timed("/v1/tasks/" + taskId + "?wait=1", agentToken);

        assertThat(answer.response().status()).as(answer.response().body()).isEqualTo(200);
        assertThat(answer.response().text("status")).isEqualTo("pending_approval");
        assertThat(answer.response().text("task_id")).isEqualTo(taskId);
        assertThat(answer.took()).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void activeTaskIsAnsweredAtOnce() {
        String taskId = broker.openTask(agentToken, "prod", "[\"db:orders:read\"]", null).text("task_id");

        Timed answer = timed("/v1/tasks/" + taskId + "?wait=30", agentToken);

        assertThat(answer.response().text("status")).isEqualTo("active");
        assertThat(answer.took()).isLessThan(PROMPTLY);
    }

    @Test
    void waitOfZeroIsAPlainRead() {
        String taskId = pendingTask();

        Timed answer = timed("/v1/tasks/" + taskId + "?wait=0", agentToken);

        assertThat(answer.response().status()).isEqualTo(200);
        assertThat(answer.response().body()).isEqualTo(broker.get("/v1/tasks/" + taskId, agentToken).body());
    }

    static Stream<Arguments> badWaits() {
        return Stream.of(
                Arguments.of("negative", "wait=-1"),
                Arguments.of("above 30 seconds", "wait=31"),
                Arguments.of("far above", "wait=3600"),
                Arguments.of("a fraction", "wait=1.5"),
                Arguments.of("a duration", "wait=5s"),
                Arguments.of("not a number", "wait=soon"),
                Arguments.of("empty", "wait="),
                Arguments.of("signed", "wait=%2B5"),
                Arguments.of("padded", "wait=%205"),
                Arguments.of("given twice", "wait=1&wait=2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badWaits")
    void badWaitIsRefusedNamingTheParameter(String name, String query) {
        String taskId = pendingTask();

        Timed answer = timed("/v1/tasks/" + taskId + "?" + query, agentToken);

        assertThat(answer.response().status()).as(answer.response().body()).isEqualTo(400);
        assertThat(answer.response().contentType()).startsWith("application/problem+json");
        assertThat(answer.response().text("detail")).contains("wait");
        assertThat(answer.took()).isLessThan(PROMPTLY);
        assertThat(broker.get("/v1/tasks/" + taskId, agentToken).text("status")).isEqualTo("pending_approval");
    }

    @Test
    void unauthenticatedWaitIsRefusedBeforeWaiting() {
        String taskId = pendingTask();

        Timed answer = timed("/v1/tasks/" + taskId + "?wait=3", null);

        assertThat(answer.response().status()).isEqualTo(401);
        assertThat(answer.took()).isLessThan(PROMPTLY);
    }

    @Test
    void anotherAgentsTaskIsNotFoundWithoutWaiting() {
        String taskId = pendingTask();
        TestAgent other = TestAgent.generate("cleanup-bot");
        broker.postJson("/v1/agents", "{\"agent_id\":\"cleanup-bot\",\"owner\":\"bob@example.com\","
                + "\"purpose\":\"tests\",\"tiers\":[\"dev\"],\"jwks\":" + other.publicJwks() + "}", broker.adminToken());
        String otherToken = broker.agentToken(other);

        Timed waited = timed("/v1/tasks/" + taskId + "?wait=3", otherToken);
        Response plain = broker.get("/v1/tasks/" + taskId, otherToken);

        assertThat(waited.response().status()).isEqualTo(404).isEqualTo(plain.status());
        assertThat(waited.response().text("detail")).isEqualTo(plain.text("detail"));
        assertThat(waited.took()).isLessThan(PROMPTLY);
    }
}
