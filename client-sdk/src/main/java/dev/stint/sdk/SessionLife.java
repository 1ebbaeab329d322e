package dev.stint.sdk;

import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether a session may still hand anything out, shared by all of its caches: the first reason
 * it dies (the broker's refusal, an end by this session, or the deadline by the local clock)
 * kills it for task tokens and database credentials alike, and for good. On death every cache
 * that registered forgets what it holds at once, so no secret of a dead task stays in memory
 * until its next read. Thread safe.
 */
final class SessionLife {

    private final TaskId taskId;
    private final TaskDeadline deadline;
    /** Why the session is dead, once it is: the broker's refusal or this client's own. */
    private final AtomicReference<TaskNotActiveException> death = new AtomicReference<>();
    private final List<Runnable> forgetters = new CopyOnWriteArrayList<>();

    SessionLife(TaskId taskId, TaskDeadline deadline) {
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    TaskId taskId() {
        return taskId;
    }

    TaskDeadline deadline() {
        return deadline;
    }

    /**
     * Runs {@code forget} when the session dies, or now if it is dead already.
     *
     * @param forget drops cached secrets; must not throw
     */
    void onDeath(Runnable forget) {
        Objects.requireNonNull(forget, "forget");
        forgetters.add(forget);
        // A death between the add and this check runs it twice; forgetting twice is harmless.
        if (death.get() != null) {
            forget.run();
        }
    }

    /**
     * Returns when the session is alive at {@code now}; the deadline passing kills it here.
     *
     * @throws TaskNotActiveException when it is dead, a new copy of the first reason each time
     */
    void requireAlive(Instant now) throws TaskNotActiveException {
        if (death.get() == null && deadline.hasPassed(now)) {
            die(TaskNotActiveException.byClient(taskId, "task " + taskId + " reached its deadline "
                    + deadline.at() + "; open a new task"));
        }
        TaskNotActiveException dead = death.get();
        if (dead != null) {
            throw dead.copy();
        }
    }

    /** True until the session dies, including by its deadline passing at {@code now}. */
    boolean isAliveAt(Instant now) {
        try {
            requireAlive(now);
            return true;
        } catch (TaskNotActiveException e) {
            return false;
        }
    }

    /** True once something killed the session; does not look at the clock. */
    boolean hasDied() {
        return death.get() != null;
    }

    /** Kills the session for {@code reason} unless it is dead already; the first reason stays. */
    void die(TaskNotActiveException reason) {
        Objects.requireNonNull(reason, "reason");
        death.compareAndSet(null, reason);
        forgetters.forEach(Runnable::run);
    }

    /** Kills the session because this client ended it. */
    void end() {
        die(TaskNotActiveException.byClient(taskId, "task " + taskId + " was ended by this session; "
                + "open a new task"));
    }
}
