package dev.stint.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One refresh per key at a time; callers that waited re-check and take its result. */
class ConcurrentRefreshTest {

    private static final TaskId TASK = new TaskId("tsk_a");
    private static final Tier DEV = new Tier("dev");
    private static final Instant T0 = BrokerStub.T0;

    @Test
    void concurrentReadersShareOneRefresh() throws Exception {
        MutableClock clock = new MutableClock(T0);
        CountDownLatch insideIssuer = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        TaskTokenIssuer slowIssuer = (taskId, tier, audience) -> {
            calls.incrementAndGet();
            insideIssuer.countDown();
            await(release);
            return new TaskToken("tok-" + calls.get(), T0.plusSeconds(300), taskId, tier, audience);
        };
        CachedTaskTokenSource source = new CachedTaskTokenSource(slowIssuer, TASK, DEV,
                new TaskDeadline(T0.plusSeconds(3600)), clock, Duration.ofSeconds(30));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<TaskToken> first = pool.submit(() -> source.token(null));
            assertThat(insideIssuer.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Thread> secondThread = new CompletableFuture<>();
            Future<TaskToken> second = pool.submit(() -> {
                secondThread.complete(Thread.currentThread());
                return source.token(null);
            });
            waitUntilParked(secondThread.get(5, TimeUnit.SECONDS));

            release.countDown();

            assertThat(first.get(5, TimeUnit.SECONDS).value()).isEqualTo("tok-1");
            assertThat(second.get(5, TimeUnit.SECONDS).value()).isEqualTo("tok-1");
            assertThat(calls.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noRefreshLockIsRetainedAfterManyAudiencesWereRefreshed() throws Exception {
        KeyedLocks<Object> locks = new KeyedLocks<>();
        AtomicInteger calls = new AtomicInteger();
        CachedTaskTokenSource source = new CachedTaskTokenSource((taskId, tier, audience) -> {
            calls.incrementAndGet();
            return new TaskToken("tok-" + audience, T0.plusSeconds(300), taskId, tier, audience);
        }, TASK, DEV, new TaskDeadline(T0.plusSeconds(3600)), new MutableClock(T0), Duration.ofSeconds(30), locks);

        for (int i = 0; i < 5_000; i++) {
            source.token("audience-" + i);
        }

        assertThat(calls.get()).isEqualTo(5_000);
        assertThat(locks.size()).isZero();
    }

    @Test
    void refreshLockIsRetainedOnlyWhileARefreshRuns() throws Exception {
        KeyedLocks<Object> locks = new KeyedLocks<>();
        CountDownLatch insideIssuer = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CachedTaskTokenSource source = new CachedTaskTokenSource((taskId, tier, audience) -> {
            insideIssuer.countDown();
            await(release);
            return new TaskToken("tok", T0.plusSeconds(300), taskId, tier, audience);
        }, TASK, DEV, new TaskDeadline(T0.plusSeconds(3600)), new MutableClock(T0), Duration.ofSeconds(30), locks);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<TaskToken> refresh = pool.submit(() -> source.token(null));
            assertThat(insideIssuer.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(locks.size()).isEqualTo(1);

            release.countDown();
            refresh.get(5, TimeUnit.SECONDS);

            assertThat(locks.size()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void failedRefreshLeavesNoLockBehind() {
        KeyedLocks<Object> locks = new KeyedLocks<>();
        CachedTaskTokenSource source = new CachedTaskTokenSource((taskId, tier, audience) -> {
            throw new BrokerUnavailableException("task token request for task tsk_a failed: the broker did not "
                    + "answer within PT5S");
        }, TASK, DEV, new TaskDeadline(T0.plusSeconds(3600)), new MutableClock(T0), Duration.ofSeconds(30), locks);

        assertThatThrownBy(() -> source.token("orders-db")).isInstanceOf(BrokerUnavailableException.class);

        assertThat(locks.size()).isZero();
    }

    @Test
    void closedSourceNeverCallsIssuer() {
        AtomicInteger calls = new AtomicInteger();
        CachedTaskTokenSource source = new CachedTaskTokenSource((taskId, tier, audience) -> {
            calls.incrementAndGet();
            return new TaskToken("tok", T0.plusSeconds(300), taskId, tier, audience);
        }, TASK, DEV, new TaskDeadline(T0.plusSeconds(3600)), new MutableClock(T0), Duration.ofSeconds(30));

        source.close();

        assertThatThrownBy(() -> source.token(null))
                .isInstanceOf(TaskNotActiveException.class);
        assertThat(calls.get()).isZero();
        assertThat(source.isAlive()).isFalse();
    }

    @Test
    void tokenFromIssuerForAnotherTaskIsRefused() {
        CachedTaskTokenSource source = new CachedTaskTokenSource(
                (taskId, tier, audience) -> new TaskToken("tok", T0.plusSeconds(300), new TaskId("tsk_other"),
                        tier, audience),
                TASK, DEV, new TaskDeadline(T0.plusSeconds(3600)), new MutableClock(T0), Duration.ofSeconds(30));

        assertThatThrownBy(() -> source.token(null))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessage("task token request for task tsk_a failed: the broker answered garbage: the token is "
                        + "for task tsk_other, not tsk_a");
    }

    @Test
    void tokenFromIssuerOutlivingDeadlineIsCappedAtIt() throws Exception {
        Instant deadline = T0.plusSeconds(100);
        CachedTaskTokenSource source = new CachedTaskTokenSource(
                (taskId, tier, audience) -> new TaskToken("tok", T0.plusSeconds(300), taskId, tier, audience),
                TASK, DEV, new TaskDeadline(deadline), new MutableClock(T0), Duration.ofSeconds(30));

        assertThat(source.token(null).expiresAt()).isEqualTo(deadline);
    }

    /** Spins (no sleeping) until {@code thread} waits on the refresh lock. */
    private static void waitUntilParked(Thread thread) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
