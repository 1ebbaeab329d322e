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
 * <p>When the SDK refuses on its own, without asking the broker (the session was ended, its
 * deadline passed, or the broker described the task as not active when a session was to start),
 * {@link #refusedByClient()} is true and the message says so: "refused by the Stint client: task
 * tsk_1 was ended by this session; open a new task". No HTTP request was sent for it. Its
 * {@link #status()} and {@link #problemType()} are still what the broker would answer (409,
 * {@value #TASK_NOT_ACTIVE}), so code that branches on them keeps working.
 */
public final class TaskNotActiveException extends BrokerRejectedException {

    private static final long serialVersionUID = 1L;

    /** The problem type the broker uses for a task that is ended or expired. */
    public static final String TASK_NOT_ACTIVE = "urn:stint:problem:task-not-active";

    private final TaskId taskId;
    private final boolean refusedByClient;

    /** The broker's refusal: the message reads "task &lt;id&gt; is no longer active: &lt;detail&gt; (HTTP ...)". */
    public TaskNotActiveException(TaskId taskId, int status, String problemType, String detail) {
        super(status, problemType, detail,
                "task " + Objects.requireNonNull(taskId, "taskId") + " is no longer active: " + detail);
        this.taskId = taskId;
        this.refusedByClient = false;
    }

    private TaskNotActiveException(TaskId taskId, String detail) {
        super(409, TASK_NOT_ACTIVE, detail);
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.refusedByClient = true;
    }

    /**
     * A refusal by this SDK itself, made without asking the broker.
     *
     * @param detail names the task, says why and what to do, e.g. "task tsk_1 was ended by this
     *     session; open a new task"
     */
    static TaskNotActiveException byClient(TaskId taskId, String detail) {
        return new TaskNotActiveException(taskId, detail);
    }

    /** The same refusal, as a new exception for the next caller to whom it applies. */
    TaskNotActiveException copy() {
        return refusedByClient ? byClient(taskId, detail()) : new TaskNotActiveException(taskId, status(),
                problemType(), detail());
    }

    public TaskId taskId() {
        return taskId;
    }

    /**
     * True when this SDK refused on its own and sent no request: the session was ended, its
     * deadline passed, or the task was not active when the session would have started. False
     * when the broker refused.
     */
    public boolean refusedByClient() {
        return refusedByClient;
    }
}
