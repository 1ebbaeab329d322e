package dev.stint.sdk;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Waits for a pending task to be decided by long-polling the broker ({@code GET /v1/tasks/{id}?wait=N},
 * N at most {@link #LONGEST_POLL}), so that the broker answers as soon as the status changes and
 * nobody polls in a tight loop. A broker that cannot be reached is asked again after a short
 * jittered backoff (or its Retry-After) while time remains. Time left is measured on the monotonic
 * clock: the wait is real time, whatever the client's clock says.
 */
final class ApprovalWait {

    static final Duration LONGEST_POLL = Duration.ofSeconds(30);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration LONGEST_BACKOFF = Duration.ofSeconds(5);

    /** Reads the task, letting the broker hold the answer up to {@code wait} while it is pending. */
    @FunctionalInterface
    interface Reader {
        TaskInfo read(Duration wait) throws BrokerRejectedException, BrokerUnavailableException;
    }

    private ApprovalWait() {
    }

    /**
     * @param seen the task as last described, pending approval
     * @return the task once the broker reports it active
     */
    static TaskInfo until(TaskInfo seen, Duration timeout, Consumer<TaskInfo> progress, Reader reader)
            throws TaskNotApprovedException, ApprovalTimeoutException, BrokerRejectedException,
            BrokerUnavailableException {
        Objects.requireNonNull(seen, "seen");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progress, "progress");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        long start = System.nanoTime();
        TaskInfo last = seen;
        Duration backoff = FIRST_BACKOFF;
        BrokerUnavailableException failure = null;
        while (last.status() == TaskStatus.PENDING_APPROVAL) {
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            if (left.isNegative() || left.isZero()) {
                if (failure != null) {
                    throw failure;
                }
                throw new ApprovalTimeoutException(last, timeout);
            }
            // The broker waits whole seconds: under one left, the last read is a plain one once the time is up.
            Duration wait = Duration.ofSeconds(Math.min(LONGEST_POLL.toSeconds(), left.toSeconds()));
            if (wait.isZero()) {
                pause(left);
            }
            try {
                last = reader.read(wait);
                failure = null;
                backoff = FIRST_BACKOFF;
            } catch (BrokerUnavailableException e) {
                failure = e;
                Duration pause = e.retryAfter().orElse(jittered(backoff));
                backoff = backoff.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF
                        : backoff.multipliedBy(2);
                try {
                    pause(min(pause, timeout.minusNanos(System.nanoTime() - start)));
                } catch (BrokerUnavailableException interrupted) {
                    interrupted.addSuppressed(e);
                    throw interrupted;
                }
                continue;
            }
            if (last.status() == TaskStatus.PENDING_APPROVAL) {
                progress.accept(last);
                if (wait.isZero()) {
                    throw new ApprovalTimeoutException(last, timeout);
                }
            }
        }
        if (last.status() != TaskStatus.ACTIVE) {
            throw new TaskNotApprovedException(last);
        }
        return last;
    }

    /** Between half and all of {@code backoff}, so that many clients do not retry in step. */
    private static Duration jittered(Duration backoff) {
        long millis = backoff.toMillis();
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void pause(Duration pause) throws BrokerUnavailableException {
        if (pause.isNegative() || pause.isZero()) {
            return;
        }
        try {
            Thread.sleep(pause.toMillis(), (int) (pause.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while waiting to ask the broker again", 0, null, e);
        }
    }
}
