package dev.stint.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lock per key that exists only while someone holds it or waits for it. */
class KeyedLocksTest {

    private final KeyedLocks<String> locks = new KeyedLocks<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void lockIsDroppedWhenItsOnlyHolderReleasesIt() {
        KeyedLocks<String>.Held held = locks.lock("a");
        assertThat(locks.size()).isEqualTo(1);

        held.close();

        assertThat(locks.size()).isZero();
    }

    @Test
    void distinctKeysLockedOneAfterAnotherLeaveNoLocks() {
        for (int i = 0; i < 10_000; i++) {
            locks.lock("key-" + i).close();
        }

        assertThat(locks.size()).isZero();
    }

    @Test
    void secondCallerForSameKeyWaitsUntilFirstReleases() throws Exception {
        KeyedLocks<String>.Held first = locks.lock("a");
        CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
        Future<?> second = pool.submit(() -> {
            waiterThread.complete(Thread.currentThread());
            locks.lock("a").close();
        });
        waitUntilParked(waiterThread.get(5, TimeUnit.SECONDS));
        assertThat(second.isDone()).isFalse();

        first.close();

        second.get(5, TimeUnit.SECONDS);
        assertThat(locks.size()).isZero();
    }

    @Test
    void lockIsKeptForACallerStillWaitingWhenTheHolderReleases() throws Exception {
        KeyedLocks<String>.Held first = locks.lock("a");
        CountDownLatch waiterHoldsLock = new CountDownLatch(1);
        CountDownLatch waiterMayRelease = new CountDownLatch(1);
        CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
        Future<?> waiter = pool.submit(() -> {
            waiterThread.complete(Thread.currentThread());
            KeyedLocks<String>.Held held = locks.lock("a");
            waiterHoldsLock.countDown();
            await(waiterMayRelease);
            held.close();
        });
        waitUntilParked(waiterThread.get(5, TimeUnit.SECONDS));

        first.close();
        assertThat(waiterHoldsLock.await(5, TimeUnit.SECONDS)).isTrue();

        // The waiter now holds the lock it waited on: a third caller must wait for that same lock.
        assertThat(locks.size()).isEqualTo(1);
        CompletableFuture<Thread> thirdThread = new CompletableFuture<>();
        Future<?> third = pool.submit(() -> {
            thirdThread.complete(Thread.currentThread());
            locks.lock("a").close();
        });
        waitUntilParked(thirdThread.get(5, TimeUnit.SECONDS));
        assertThat(third.isDone()).isFalse();

        waiterMayRelease.countDown();
        waiter.get(5, TimeUnit.SECONDS);
        third.get(5, TimeUnit.SECONDS);
        assertThat(locks.size()).isZero();
    }

    @Test
    void callersForDifferentKeysDoNotWaitForEachOther() throws Exception {
        KeyedLocks<String>.Held a = locks.lock("a");

        Future<?> other = pool.submit(() -> locks.lock("b").close());

        other.get(5, TimeUnit.SECONDS);
        assertThat(locks.size()).isEqualTo(1);
        a.close();
    }

    @Test
    void onlyOneCallerPerKeyHoldsTheLockAtATime() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        Runnable worker = () -> {
            for (int i = 0; i < 2_000; i++) {
                KeyedLocks<String>.Held held = locks.lock("a");
                try {
                    mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                } finally {
                    held.close();
                }
            }
        };

        Future<?> one = pool.submit(worker);
        Future<?> two = pool.submit(worker);
        Future<?> three = pool.submit(worker);
        one.get(30, TimeUnit.SECONDS);
        two.get(30, TimeUnit.SECONDS);
        three.get(30, TimeUnit.SECONDS);

        assertThat(mostInside.get()).isEqualTo(1);
        assertThat(locks.size()).isZero();
    }

    @Test
    void releasingTwiceIsRefused() {
        KeyedLocks<String>.Held held = locks.lock("a");
        held.close();

        assertThatThrownBy(held::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this lock was released already");
        assertThat(locks.size()).isZero();
    }

    /** Spins (no sleeping) until {@code thread} waits on a lock. */
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
