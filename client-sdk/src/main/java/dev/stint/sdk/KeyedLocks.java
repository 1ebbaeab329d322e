package dev.stint.sdk;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per key, kept only while it is needed: the first caller for a key creates its lock and
 * the last one to release it drops it. The number of locks held in memory is therefore at most
 * the number of callers inside {@link #lock}/{@link Held#close()} at that moment, however many
 * distinct keys have been locked over time.
 *
 * <p>A key's lock is dropped only when no thread holds it or waits for it, so two threads never
 * hold locks for the same key at once. Callers for different keys never wait for each other.
 * Thread safe.
 *
 * @param <K> the key type; keys are compared with {@code equals}
 */
final class KeyedLocks<K> {

    private final ConcurrentMap<K, Counted> locks = new ConcurrentHashMap<>();

    /** A lock and how many threads hold it or wait for it. */
    private static final class Counted {

        final ReentrantLock lock = new ReentrantLock();

        /** Changed only inside the map's atomic compute for this key. */
        int users;
    }

    /** A held lock, released by {@link #close()}. Use it in try-with-resources, on one thread. */
    final class Held implements AutoCloseable {

        private final K key;
        private final Counted counted;
        private boolean released;

        private Held(K key, Counted counted) {
            this.key = key;
            this.counted = counted;
        }

        /**
         * Releases the lock, and drops it when no other thread holds it or waits for it.
         *
         * @throws IllegalStateException when it was released already
         */
        @Override
        public void close() {
            if (released) {
                throw new IllegalStateException("this lock was released already");
            }
            released = true;
            counted.lock.unlock();
            locks.computeIfPresent(key, (k, current) -> --current.users == 0 ? null : current);
        }
    }

    /**
     * Blocks until the lock for {@code key} is held by the calling thread. Reentrant: a thread
     * may lock the same key again, and must close each {@link Held} it got.
     *
     * @param key not null
     * @return the held lock, to close exactly once
     */
    Held lock(K key) {
        Objects.requireNonNull(key, "key");
        // Counting the caller before it waits is what keeps the lock from being dropped under it.
        Counted counted = locks.compute(key, (k, current) -> {
            Counted c = current == null ? new Counted() : current;
            c.users++;
            return c;
        });
        counted.lock.lock();
        return new Held(key, counted);
    }

    /** How many keys have a lock right now: those held or waited for. */
    int size() {
        return locks.size();
    }
}
