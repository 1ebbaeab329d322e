package dev.stint.sdk;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Task tokens for one task and tier, cached per audience.
 *
 * <p>A cached token is served only while all of these hold, checked against the clock on every
 * read: less than half its lifetime has passed (refresh at half-life), it stays valid for at
 * least the safety margin, and the task deadline has not passed. Otherwise one caller fetches a
 * new token while the others for the same audience wait and then re-check; callers for other
 * audiences are not blocked. A refresh lock lives only while a caller holds or waits for it, so
 * the source keeps no state per audience beyond the bounded cache.
 *
 * <p>The source dies, for good, when it is closed, when the deadline passes, or when the issuer
 * reports {@link TaskNotActiveException}. A dead source drops every cached token and throws
 * {@link TaskNotActiveException} without calling the issuer. If a needed refresh fails, the error
 * is thrown; the old token is never served in its place. Thread safe.
 */
public final class CachedTaskTokenSource implements TaskTokenSource {

    /** Audiences per task are few; the bound only stops a runaway caller. */
    private static final int MAX_AUDIENCES = 256;

    private final TaskTokenIssuer issuer;
    private final TaskId taskId;
    private final Tier tier;
    private final TaskDeadline deadline;
    private final Clock clock;
    private final Duration safetyMargin;
    private final Cache<Key, Entry> cache;
    private final KeyedLocks<Object> refreshLocks;
    /** Why the source is dead, once it is: the broker's refusal or this client's own. */
    private final AtomicReference<TaskNotActiveException> death = new AtomicReference<>();

    /**
     * @param safetyMargin how long a cached token must stay valid to be served; not negative
     */
    public CachedTaskTokenSource(TaskTokenIssuer issuer, TaskId taskId, Tier tier, TaskDeadline deadline,
            Clock clock, Duration safetyMargin) {
        this(issuer, taskId, tier, deadline, clock, safetyMargin, new KeyedLocks<>());
    }

    /** As the public constructor, with the locks that keep refreshes of one audience one at a time. */
    CachedTaskTokenSource(TaskTokenIssuer issuer, TaskId taskId, Tier tier, TaskDeadline deadline,
            Clock clock, Duration safetyMargin, KeyedLocks<Object> refreshLocks) {
        this.refreshLocks = Objects.requireNonNull(refreshLocks, "refreshLocks");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.tier = Objects.requireNonNull(tier, "tier");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.safetyMargin = Objects.requireNonNull(safetyMargin, "safetyMargin");
        if (safetyMargin.isNegative()) {
            throw new IllegalArgumentException("safetyMargin must not be negative");
        }
        // Caffeine only evicts entries nobody may use any more; the read path decides validity
        // itself. Its ticker follows the injected clock, and eviction runs on the caller's thread.
        this.cache = Caffeine.newBuilder()
                .maximumSize(MAX_AUDIENCES)
                .ticker(() -> nanos(clock.instant()))
                .executor(Runnable::run)
                .expireAfter(Expiry.<Key, Entry>writing((key, entry) -> entry.timeLeftToServe(clock.instant())))
                .build();
    }

    private static long nanos(Instant instant) {
        return TimeUnit.SECONDS.toNanos(instant.getEpochSecond()) + instant.getNano();
    }

    /** What the cache is keyed by: exactly what was asked for. */
    private record Key(TaskId taskId, Tier tier, String audience) {
    }

    /** A token and the instant after which it is no longer served from the cache. */
    private record Entry(TaskToken token, Instant serveUntil) {

        boolean servableAt(Instant now) {
            return now.isBefore(serveUntil);
        }

        Duration timeLeftToServe(Instant now) {
            Duration left = Duration.between(now, serveUntil);
            return left.isNegative() ? Duration.ZERO : left;
        }
    }

    @Override
    public TaskToken token(String audience) throws BrokerRejectedException, BrokerUnavailableException {
        if (audience != null && audience.isBlank()) {
            throw new IllegalArgumentException("audience must not be blank; pass null for the default");
        }
        Key key = new Key(taskId, tier, audience);
        Entry cached = servable(key, clock.instant());
        if (cached != null) {
            return cached.token();
        }
        KeyedLocks<Object>.Held refreshLock = refreshLocks.lock(key);
        try {
            // Another caller may have refreshed while we waited.
            cached = servable(key, clock.instant());
            if (cached != null) {
                return cached.token();
            }
            cache.invalidate(key);
            TaskToken fresh;
            try {
                fresh = issuer.issue(taskId, tier, audience);
            } catch (TaskNotActiveException e) {
                die(e);
                throw e;
            }
            Instant now = clock.instant();
            TaskToken accepted = accept(fresh, audience, now);
            // A close() during the fetch wins: the new token is not handed out.
            requireAlive(now);
            cache.put(key, new Entry(accepted, serveUntil(accepted, now)));
            return accepted;
        } finally {
            refreshLock.close();
        }
    }

    /** The cached entry if it may be served now; checks that the source is alive first. */
    private Entry servable(Key key, Instant now) throws TaskNotActiveException {
        requireAlive(now);
        Entry entry = cache.getIfPresent(key);
        return entry != null && entry.servableAt(now) ? entry : null;
    }

    /** Checks a fresh token belongs here, and caps its expiry at the deadline. */
    private TaskToken accept(TaskToken fresh, String audience, Instant now) throws BrokerUnavailableException {
        String what = "task token request for task " + taskId;
        if (!fresh.taskId().equals(taskId)) {
            throw Json.garbage(what, "the token is for task " + fresh.taskId() + ", not " + taskId);
        }
        if (!fresh.tier().equals(tier)) {
            throw Json.garbage(what, "the token is for tier " + fresh.tier() + ", not " + tier);
        }
        if (!Objects.equals(fresh.audience(), audience)) {
            throw Json.garbage(what, "the token is for another audience than the one requested");
        }
        Instant expiresAt = deadline.cap(fresh.expiresAt());
        if (!now.isBefore(expiresAt)) {
            throw Json.garbage(what, "the token expired at " + expiresAt
                    + ", before it arrived; are the broker's and this host's clocks in step?");
        }
        return new TaskToken(fresh.value(), expiresAt, taskId, tier, audience);
    }

    /** The earlier of half-life and "valid for at least the safety margin". */
    private Instant serveUntil(TaskToken token, Instant obtainedAt) {
        Instant halfLife = obtainedAt.plus(Duration.between(obtainedAt, token.expiresAt()).dividedBy(2));
        Instant marginStart = token.expiresAt().minus(safetyMargin);
        return halfLife.isBefore(marginStart) ? halfLife : marginStart;
    }

    private void requireAlive(Instant now) throws TaskNotActiveException {
        if (death.get() == null && deadline.hasPassed(now)) {
            die(TaskNotActiveException.byClient(taskId, "task " + taskId + " reached its deadline "
                    + deadline.at() + "; open a new task"));
        }
        TaskNotActiveException dead = death.get();
        if (dead != null) {
            cache.invalidateAll();
            throw dead.copy();
        }
    }

    private void die(TaskNotActiveException reason) {
        death.compareAndSet(null, reason);
        cache.invalidateAll();
    }

    /** True until the source is closed, passes the deadline or learns the task is over. */
    public boolean isAlive() {
        try {
            requireAlive(clock.instant());
            return true;
        } catch (TaskNotActiveException e) {
            return false;
        }
    }

    @Override
    public void close() {
        die(TaskNotActiveException.byClient(taskId, "task " + taskId + " was ended by this session; "
                + "open a new task"));
    }

    @Override
    public String toString() {
        return "CachedTaskTokenSource[taskId=" + taskId + ", tier=" + tier + ", deadline=" + deadline.at()
                + ", alive=" + (death.get() == null) + "]";
    }
}
