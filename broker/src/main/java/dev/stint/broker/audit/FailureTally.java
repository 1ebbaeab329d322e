package dev.stint.broker.audit;

import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Counts the failures of unauthenticated requests (a garbage bearer token, a forged or replayed
 * client assertion) in memory, and writes them to the audit log as summaries: one record per
 * distinct (action, decision, claimed agent, reason) seen in a window, at most
 * {@code maxKinds} of them, plus one record for the rest. Disk use per window is thus bounded
 * whatever the request rate: an anonymous client cannot fill the disk with one synced row per
 * request. Memory is bounded the same way. Refusals of an authenticated caller are not counted
 * here: they keep one record each, written before the answer ({@link AuditLog#reject}).
 *
 * <p>Counts since start are readable at once ({@link #refused()}, {@link #failed()}); the
 * summaries reach the log when {@link #flush()} runs, which the broker does every
 * {@link #DEFAULT_WINDOW} of its clock and on a clean shutdown. A crash loses at most one window
 * of counts. Times come from the injected clock. Thread safe.
 */
public final class FailureTally {

    /** How often the broker writes the summaries. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    /** At most this many itemised summaries per window; the rest share one record. */
    public static final int DEFAULT_MAX_KINDS = 20;
    /** The action of the record that sums up the kinds beyond {@code maxKinds}. */
    public static final String REMAINDER_ACTION = "audit.summary";

    private record Kind(String action, AuditEvent.Decision decision, String agentId, String reason) {
    }

    /** The counts of one window; guarded by the tally's lock. */
    private static final class Window {
        final Instant start;
        final Map<Kind, Long> counts = new LinkedHashMap<>();
        /** Counts beyond the itemised kinds, by action and verb ("auth.bearer refused"). */
        final Map<String, Long> others = new TreeMap<>();

        Window(Instant start) {
            this.start = start;
        }

        void add(Kind kind, long n, int maxKinds) {
            if (counts.containsKey(kind) || counts.size() < maxKinds) {
                counts.merge(kind, n, Long::sum);
            } else {
                others.merge(kind.action() + " " + verb(kind.decision()), n, Long::sum);
            }
        }

        boolean isEmpty() {
            return counts.isEmpty() && others.isEmpty();
        }
    }

    private final Store store;
    private final Duration window;
    private final int maxKinds;
    private final Clock clock;
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private Window current;

    /**
     * @param window how long counts gather before {@link #flushIfDue()} writes them
     * @param maxKinds at most this many itemised records per window (at least 1)
     */
    public FailureTally(Store store, Duration window, int maxKinds, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.window = Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the window must be positive");
        }
        if (maxKinds < 1) {
            throw new IllegalArgumentException("maxKinds must be at least 1");
        }
        this.maxKinds = maxKinds;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.current = new Window(clock.instant());
    }

    /**
     * Counts one unauthenticated request that was refused ({@code DENY}) or could not be served
     * ({@code ERROR}). Only the action, decision, agent id and reason of {@code event} are kept.
     *
     * @throws IllegalArgumentException for any other decision: allows are never tallied
     */
    public void count(AuditEvent event) {
        AuditEvent.Decision decision = event.decision();
        if (decision != AuditEvent.Decision.DENY && decision != AuditEvent.Decision.ERROR) {
            throw new IllegalArgumentException("only denials and errors are tallied");
        }
        (decision == AuditEvent.Decision.DENY ? refused : failed).increment();
        Kind kind = new Kind(event.action(), decision, event.agentId(), event.reason());
        synchronized (this) {
            current.add(kind, 1, maxKinds);
        }
    }

    /** Unauthenticated requests refused since the broker started. */
    public long refused() {
        return refused.sum();
    }

    /** Unauthenticated requests that could not be served (503) since the broker started. */
    public long failed() {
        return failed.sum();
    }

    /** {@link #flush()} when the current window is at least one window long; otherwise nothing. */
    public Future<Integer> flushIfDue() {
        synchronized (this) {
            if (clock.instant().isBefore(current.start.plus(window))) {
                return Future.succeededFuture(0);
            }
        }
        return flush();
    }

    /**
     * Ends the current window and appends its summaries in one store unit: at most
     * {@code maxKinds + 1} records, none when nothing was counted. If the unit fails, the counts
     * go back into the current window (which then starts where the failed one did), so the next
     * flush records them.
     *
     * @return how many records were appended; a failed future with the store's
     *     {@link dev.stint.broker.http.UnavailableException} when they could not be
     */
    public Future<Integer> flush() {
        Window ended;
        Instant end = clock.instant();
        synchronized (this) {
            ended = current;
            current = new Window(end);
        }
        if (ended.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<AuditEvent> summaries = summaries(ended, end);
        return store.write(tx -> {
            AuditRows rows = new AuditRows(tx);
            for (AuditEvent summary : summaries) {
                rows.append(summary, end);
            }
            return summaries.size();
        }).onFailure(e -> restore(ended));
    }

    private synchronized void restore(Window ended) {
        Window merged = new Window(ended.start);
        ended.counts.forEach((kind, n) -> merged.add(kind, n, maxKinds));
        current.counts.forEach((kind, n) -> merged.add(kind, n, maxKinds));
        ended.others.forEach((key, n) -> merged.others.merge(key, n, Long::sum));
        current.others.forEach((key, n) -> merged.others.merge(key, n, Long::sum));
        current = merged;
    }

    private static List<AuditEvent> summaries(Window ended, Instant end) {
        String span = " from " + ended.start + " to " + end;
        List<AuditEvent> events = new ArrayList<>();
        ended.counts.forEach((kind, n) -> events.add(new AuditEvent("anonymous", kind.action(), kind.decision(),
                kind.agentId(), null, null, "", n + " " + verb(kind.decision()) + span + ": " + kind.reason())));
        if (!ended.others.isEmpty()) {
            long total = ended.others.values().stream().mapToLong(Long::longValue).sum();
            events.add(new AuditEvent("anonymous", REMAINDER_ACTION, AuditEvent.Decision.DENY, null, null, null, "",
                    total + " more unauthenticated requests refused or failed" + span + " for other reasons or"
                            + " agents, not itemised: " + ended.others.entrySet().stream()
                                    .map(e -> e.getKey() + " " + e.getValue())
                                    .collect(Collectors.joining(", "))));
        }
        return events;
    }

    private static String verb(AuditEvent.Decision decision) {
        return decision == AuditEvent.Decision.ERROR ? "failed" : "refused";
    }
}
