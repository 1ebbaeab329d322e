package dev.stint.sdk;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One session's credentials of one kind, cached per key: what the task token and the database
 * credential caches share.
 *
 * <p>A cached value is served only while the session is alive and its {@link Served#serveUntil()}
 * has not come, both checked against the clock on every read. Otherwise one caller fetches a new
 * value while the others for the same key wait and then re-check, so concurrent callers cause
 * one request; callers for other keys are not blocked. A fetch that reports
 * {@link TaskNotActiveException} kills the session, and a session that died during a fetch does
 * not hand out its result. A failed fetch is thrown as is; the old value is never served in its
 * place. Thread safe.
 *
 * @param <K> what the cache is keyed by: exactly what was asked for
 * @param <V> the credential
 */
final class SessionCache<K, V> {

    /** Fetches a fresh value and says until when it may be served. One request per call. */
    @FunctionalInterface
    interface Fetch<V> {
        Served<V> fetch() throws BrokerRejectedException, BrokerUnavailableException;
    }

    private final SessionLife life;
    private final Clock clock;
    private final Cache<K, Served<V>> cache;
    private final KeyedLocks<Object> locks;

    /**
     * @param maxKeys keys per session are few; the bound only stops a runaway caller
     * @param locks the locks that keep fetches for one key one at a time
     */
    SessionCache(SessionLife life, Clock clock, int maxKeys, KeyedLocks<Object> locks) {
        this.life = Objects.requireNonNull(life, "life");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.locks = Objects.requireNonNull(locks, "locks");
        // Caffeine only evicts entries nobody may use any more; the read path decides validity
        // itself. Its ticker follows the injected clock, and eviction runs on the caller's thread.
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .ticker(() -> nanos(clock.instant()))
                .executor(Runnable::run)
                .expireAfter(Expiry.<K, Served<V>>writing((key, served) -> served.timeLeftToServe(clock.instant())))
                .build();
        life.onDeath(cache::invalidateAll);
    }

    private static long nanos(Instant instant) {
        return TimeUnit.SECONDS.toNanos(instant.getEpochSecond()) + instant.getNano();
    }

    /**
     * The cached value for {@code key} while it may be served, else the one {@code fetch} gets.
     *
     * @throws TaskNotActiveException when the session is dead, without calling {@code fetch}
     */
    V get(K key, Fetch<V> fetch) throws BrokerRejectedException, BrokerUnavailableException {
        V cached = servable(key);
        if (cached != null) {
            return cached;
        }
        KeyedLocks<Object>.Held held = locks.lock(key);
        try {
            // Another caller may have fetched while we waited.
            cached = servable(key);
            if (cached != null) {
                return cached;
            }
            cache.invalidate(key);
            Served<V> fresh;
            try {
                fresh = fetch.fetch();
            } catch (TaskNotActiveException e) {
                life.die(e);
                throw e;
            }
            // An end() during the fetch wins: the new value is not handed out.
            life.requireAlive(clock.instant());
            cache.put(key, fresh);
            return fresh.value();
        } finally {
            held.close();
        }
    }

    /** The cached value if it may be served now; checks that the session is alive first. */
    private V servable(K key) throws TaskNotActiveException {
        Instant now = clock.instant();
        life.requireAlive(now);
        Served<V> served = cache.getIfPresent(key);
        return served != null && served.servableAt(now) ? served.value() : null;
    }
}
