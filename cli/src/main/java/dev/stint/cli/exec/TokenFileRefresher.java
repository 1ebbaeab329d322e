package dev.stint.cli.exec;

import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskToken;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Keeps {@link TokenFile} holding a valid task token until the task's deadline, for commands that
 * outlive one token. Each round asks the session for its token (served from its cache until half
 * its life, then minted anew) and rewrites the file when the token changed; the next round comes
 * at half the remaining life of the token written, so a new one is in place well before the old
 * one expires. A failed refresh keeps the old token (still valid) and is retried with backoff.
 * {@link #refresh()} does one round and never sleeps, so tests drive it with a moved clock;
 * {@link #run()} loops on the real time until {@link #close()}.
 */
public final class TokenFileRefresher implements Runnable, AutoCloseable {

    /** The task's current token, as {@code TaskSession::token}. */
    @FunctionalInterface
    public interface TaskTokens {
        TaskToken current() throws BrokerRejectedException, BrokerUnavailableException;
    }

    static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
    /** Never look again sooner than this: a clock or answer gone odd must not make a busy loop. */
    static final Duration SHORTEST_WAIT = Duration.ofSeconds(1);

    private final TaskTokens tokens;
    private final TokenFile file;
    private final Instant deadline;
    private final Clock clock;
    private final Consumer<String> say;
    private final Object wakeUp = new Object();
    /** Held while the file is written, and by {@link #close()}: once closed, nothing writes. */
    private final Object writing = new Object();

    private TaskToken written;
    private Duration retry = FIRST_RETRY;
    private volatile boolean done;

    /**
     * @param written the token the file holds now
     * @param say prints one line for the user (stderr); never given a token
     */
    public TokenFileRefresher(TaskTokens tokens, TokenFile file, TaskToken written, Instant deadline, Clock clock,
            Consumer<String> say) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.file = Objects.requireNonNull(file, "file");
        this.written = Objects.requireNonNull(written, "written");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.say = Objects.requireNonNull(say, "say");
    }

    /**
     * One round: writes the session's current token if it is not the one in the file.
     *
     * @return when to do the next round; {@link Instant#MAX} when there is none (the deadline has
     *     passed, the task is over, or the refresher was closed)
     */
    public synchronized Instant refresh() {
        Instant now = clock.instant();
        if (done || !now.isBefore(deadline)) {
            done = true;
            return Instant.MAX;
        }
        try {
            TaskToken current = tokens.current();
            if (!current.value().equals(written.value())) {
                synchronized (writing) {
                    if (done) {
                        return Instant.MAX;
                    }
                    file.write(current.value());
                }
                if (!retry.equals(FIRST_RETRY)) {
                    say.accept("refreshed STINT_TOKEN_FILE again (token " + current.fingerprint() + ")");
                }
                written = current;
            }
            retry = FIRST_RETRY;
            Instant halfLife = now.plus(Duration.between(now, written.expiresAt()).dividedBy(2));
            return earliest(latest(halfLife, now.plus(SHORTEST_WAIT)), deadline);
        } catch (TaskNotActiveException e) {
            if (done) {
                return Instant.MAX; // closed meanwhile: the session was ended on purpose
            }
            done = true;
            say.accept("STINT_TOKEN_FILE is no longer refreshed: " + e.getMessage());
            return Instant.MAX;
        } catch (BrokerRejectedException | BrokerUnavailableException | IOException e) {
            if (done) {
                return Instant.MAX;
            }
            Instant next = now.plus(retry);
            say.accept("could not refresh STINT_TOKEN_FILE (its token " + written.fingerprint() + " expires "
                    + written.expiresAt() + "): " + e.getMessage() + "; trying again in " + retry.toSeconds() + " s");
            retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
            return earliest(next, deadline);
        }
    }

    /** Rounds until the deadline or {@link #close()}, waiting on the real time between them. */
    @Override
    public void run() {
        for (Instant next = refresh(); !next.equals(Instant.MAX); next = refresh()) {
            synchronized (wakeUp) {
                long millis = Duration.between(clock.instant(), next).toMillis();
                while (millis > 0 && !done) {
                    try {
                        wakeUp.wait(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    millis = Duration.between(clock.instant(), next).toMillis();
                }
            }
        }
    }

    /**
     * Stops refreshing. Returns at once, but for a write of the file under way: after it returns
     * the file is never written again, so it can be removed.
     */
    @Override
    public void close() {
        synchronized (writing) {
            done = true;
        }
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
