package dev.stint.broker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.HttpLimits;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Change;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What holds a waiting read: the cap, the longest hold, and waking on a change of that task only. */
class TaskWatchTest {

    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** Longer than any test: only an announcement or the end of a hold answers. */
    static final Duration NEVER = Duration.ofHours(1);

    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static Task task(String id, TaskStatus status) {
        return new Task(new TaskId(id), new AgentId("demo-agent"), new Tier("prod"), "work",
                List.of(Scope.parse("db:orders:delete")), NOW, new TaskDeadline(NOW.plusSeconds(300)), status,
                status.isFinal() ? NOW : null, status.isFinal() ? "ended by the agent" : null);
    }

    /** Runs {@code action} on a Vert.x context, as a request handler would, and returns what it returned. */
    private <T> T onContext(Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> result.complete(action.get()));
        return result.join();
    }

    private static Task answer(TaskWatch.Held held) throws Exception {
        return held.answer().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void onlyTheCappedNumberOfReadsIsHeldAndOneMoreIsRefusedAsUnavailable() {
        TaskWatch watch = new TaskWatch(vertx, 1, Duration.ofSeconds(30), NEVER, CLOCK);
        Task pending = task("t-1", TaskStatus.PENDING_APPROVAL);
        Supplier<Future<Task>> reread = () -> Future.succeededFuture(pending);

        TaskWatch.Held first = onContext(() -> watch.hold(pending, Duration.ofSeconds(30), reread));
        TaskWatch.Held second = onContext(() -> watch.hold(pending, Duration.ofSeconds(30), reread));
        assertThat(first.answer().isComplete()).isFalse();
        assertThat(second.answer().failed()).isTrue();
        assertThat(second.answer().cause()).isInstanceOf(UnavailableException.class);

        onContext(() -> {
            first.cancel();
            return null;
        });
        TaskWatch.Held third = onContext(() -> watch.hold(pending, Duration.ofSeconds(30), reread));
        assertThat(third.answer().isComplete()).as("a cancelled read frees its place").isFalse();
        third.cancel();
    }

    @Test
    void aReadIsHeldNoLongerThanTheLongestHold() throws Exception {
        TaskWatch watch = new TaskWatch(vertx, 10, Duration.ofMillis(200), NEVER, CLOCK);
        Task pending = task("t-1", TaskStatus.PENDING_APPROVAL);

        TaskWatch.Held held = onContext(() -> watch.hold(pending, Duration.ofSeconds(30),
                () -> Future.succeededFuture(pending)));

        assertThat(answer(held).status()).isEqualTo(TaskStatus.PENDING_APPROVAL);
    }

    @Test
    void anAnnouncedChangeWakesTheReadsOfThatTaskOnly() throws Exception {
        TaskWatch watch = new TaskWatch(vertx, 10, Duration.ofSeconds(30), NEVER, CLOCK);
        AtomicReference<Task> stored = new AtomicReference<>(task("t-1", TaskStatus.PENDING_APPROVAL));
        Task other = task("t-2", TaskStatus.PENDING_APPROVAL);
        TaskWatch.Held held = onContext(() -> watch.hold(stored.get(), Duration.ofSeconds(30),
                () -> Future.succeededFuture(stored.get())));
        TaskWatch.Held untouched = onContext(() -> watch.hold(other, Duration.ofSeconds(30),
                () -> Future.succeededFuture(other)));

        stored.set(task("t-1", TaskStatus.ENDED));
        watch.onChange(new Change(TaskRows.CHANGES, TaskRows.changeKey(new AgentId("demo-agent"), new TaskId("t-1"))));

        assertThat(answer(held).status()).isEqualTo(TaskStatus.ENDED);
        assertThat(untouched.answer().isComplete()).isFalse();
        untouched.cancel();
    }

    @Test
    void aLostAnnouncementOnlyDelaysTheAnswerUntilTheNextReread() throws Exception {
        TaskWatch watch = new TaskWatch(vertx, 10, Duration.ofSeconds(30), Duration.ofMillis(100), CLOCK);
        AtomicReference<Task> stored = new AtomicReference<>(task("t-1", TaskStatus.PENDING_APPROVAL));
        TaskWatch.Held held = onContext(() -> watch.hold(stored.get(), Duration.ofSeconds(30),
                () -> Future.succeededFuture(stored.get())));

        stored.set(task("t-1", TaskStatus.DENIED));

        assertThat(answer(held).status()).isEqualTo(TaskStatus.DENIED);
    }

    @Test
    void theDefaultIdleTimeoutLeavesRoomForTheLongestWait() {
        assertThat(TaskWatch.longestHoldWithin(HttpLimits.DEFAULT_IDLE_TIMEOUT))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(TaskWatch.MAX_WAIT_SECONDS));
    }
}
