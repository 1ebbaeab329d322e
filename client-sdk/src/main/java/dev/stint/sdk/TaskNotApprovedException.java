package dev.stint.sdk;

import dev.stint.token.TaskId;
import java.util.Objects;
import java.util.Optional;

/**
 * A task that awaited approval will never become active: the broker reports it denied, ended or
 * expired ({@link #task()} says which, and {@link #endReason()} why when the broker says).
 * Nothing was issued for it; open a new task.
 */
public final class TaskNotApprovedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient TaskInfo task;

    TaskNotApprovedException(TaskInfo task) {
        super("task " + Objects.requireNonNull(task, "task").taskId() + " will not be approved: the broker reports it "
                + task.status().wireName() + (task.endReason() == null ? "" : " (" + task.endReason() + ")")
                + "; open a new task");
        this.task = task;
    }

    public TaskId taskId() {
        return task.taskId();
    }

    /** The task as the broker last described it: denied, ended or expired. */
    public TaskInfo task() {
        return task;
    }

    /** {@link TaskStatus#DENIED}, {@link TaskStatus#ENDED} or {@link TaskStatus#EXPIRED}. */
    public TaskStatus taskStatus() {
        return task.status();
    }

    /** Why, as the broker says; empty when it gave no reason. */
    public Optional<String> endReason() {
        return Optional.ofNullable(task.endReason());
    }
}
