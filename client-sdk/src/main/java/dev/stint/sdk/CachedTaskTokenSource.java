package dev.stint.sdk;

import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

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
 * is thrown; the old token is never served in its place. Inside a {@link TaskSession} the source
 * shares its life with the session's database credentials: whichever learns first that the task
 * is over kills both. Thread safe.
 */
public final class CachedTaskTokenSource implements TaskTokenSource {

    /** Audiences per task are few; the bound only stops a runaway caller. */
    private static final int MAX_AUDIENCES = 256;

    private final TaskTokenIssuer issuer;
    private final TaskId taskId;
    private final Tier tier;
    private final Clock clock;
    private final ServeWindow window;
    private final SessionLife life;
    private final SessionCache<Key, TaskToken> cache;

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
        this(issuer, tier, new SessionLife(taskId, deadline), clock, new ServeWindow(safetyMargin), refreshLocks);
    }

    /** A source whose life is its session's: it dies with the session's other caches. */
    CachedTaskTokenSource(TaskTokenIssuer issuer, Tier tier, SessionLife life, Clock clock, ServeWindow window,
            KeyedLocks<Object> refreshLocks) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.tier = Objects.requireNonNull(tier, "tier");
        this.life = Objects.requireNonNull(life, "life");
        this.taskId = life.taskId();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
        this.cache = new SessionCache<>(life, clock, MAX_AUDIENCES, refreshLocks);
    }

    /** What the cache is keyed by: exactly what was asked for. */
    private record Key(TaskId taskId, Tier tier, String audience) {
    }

    @Override
    public TaskToken token(String audience) throws BrokerRejectedException, BrokerUnavailableException {
        if (audience != null && audience.isBlank()) {
            throw new IllegalArgumentException("audience must not be blank; pass null for the default");
        }
        return cache.get(new Key(taskId, tier, audience), () -> {
            TaskToken fresh = issuer.issue(taskId, tier, audience);
            Instant now = clock.instant();
            TaskToken accepted = accept(fresh, audience, now);
            return new Served<>(accepted, window.forToken(now, accepted.expiresAt()));
        });
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
        Instant expiresAt = life.deadline().cap(fresh.expiresAt());
        if (!now.isBefore(expiresAt)) {
            throw Json.garbage(what, "the token expired at " + expiresAt
                    + ", before it arrived; are the broker's and this host's clocks in step?");
        }
        return new TaskToken(fresh.value(), expiresAt, taskId, tier, audience);
    }

    /** True until the source is closed, passes the deadline or learns the task is over. */
    public boolean isAlive() {
        return life.isAliveAt(clock.instant());
    }

    /** Kills the source, and with it every other cache of its session. */
    @Override
    public void close() {
        life.end();
    }

    @Override
    public String toString() {
        return "CachedTaskTokenSource[taskId=" + taskId + ", tier=" + tier + ", deadline=" + life.deadline().at()
                + ", alive=" + !life.hasDied() + "]";
    }
}
