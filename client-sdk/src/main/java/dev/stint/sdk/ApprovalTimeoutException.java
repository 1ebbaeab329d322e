package dev.stint.sdk;

import dev.stint.token.TaskId;
import java.time.Duration;
import java.util.Objects;

/**
 * The task still awaited approval when the time given to wait for it ran out. It is still
 * pending at the broker: wait again, or end it.
 */
public final class ApprovalTimeoutException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient TaskInfo task;
    private final Duration waited;

    ApprovalTimeoutException(TaskInfo task, Duration waited) {
        super("task " + Objects.requireNonNull(task, "task").taskId() + " still awaits approval"
                + (task.approvalId() == null ? "" : " (approval " + task.approvalId() + ")") + " after waiting "
                + Objects.requireNonNull(waited, "waited") + "; wait again or end the task");
        this.task = task;
        this.waited = waited;
    }

    public TaskId taskId() {
        return task.taskId();
    }

    /** The task as the broker last described it: pending approval. */
    public TaskInfo task() {
        return task;
    }

    /** The time that was given to wait. */
    public Duration waited() {
        return waited;
    }
}
