package dev.stint.sdk;

import dev.stint.token.TaskId;
import java.util.Objects;

/**
 * The task can no longer yield credentials: it was ended, reached its deadline, is unknown to
 * the broker (404), was refused (403) or is not active (409), or the broker refused the agent
 * itself while a token was being fetched (401 even after a fresh authentication, or that
 * authentication refused, e.g. a suspended agent). Once a session has seen this, it stays dead:
 * every later {@code token()} throws it again without asking the broker.
 *
 * <p>When the SDK decides locally (session closed, deadline passed) the exception carries what
 * the broker would answer: status 409 and type {@value #TASK_NOT_ACTIVE}.
 */
public final class TaskNotActiveException extends BrokerRejectedException {

    private static final long serialVersionUID = 1L;

    /** The problem type the broker uses for a task that is ended or expired. */
    public static final String TASK_NOT_ACTIVE = "urn:stint:problem:task-not-active";

    private final TaskId taskId;

    public TaskNotActiveException(TaskId taskId, int status, String problemType, String detail) {
        super(status, problemType, detail,
                "task " + Objects.requireNonNull(taskId, "taskId") + " is no longer active: " + detail);
        this.taskId = taskId;
    }

    /** A decision made by the SDK itself, phrased as the broker would. */
    static TaskNotActiveException local(TaskId taskId, String detail) {
        return new TaskNotActiveException(taskId, 409, TASK_NOT_ACTIVE, detail);
    }

    public TaskId taskId() {
        return taskId;
    }
}
