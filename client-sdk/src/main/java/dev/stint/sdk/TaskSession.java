package dev.stint.sdk;

import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One open task and the tokens it yields. Use it in try-with-resources so the task is ended at
 * the broker as soon as the work is done:
 *
 * <pre>{@code
 * try (TaskSession task = client.openTask(request)) {
 *     callTheDatabase(task.token().value());
 * }
 * }</pre>
 *
 * <p>Once ended, past its deadline, or refused by the broker, the session is dead: every
 * {@link #token()} throws {@link TaskNotActiveException} and no cached token is ever returned
 * again. After {@link #end()} or the deadline the session refuses on its own, without a request:
 * the exception's {@link TaskNotActiveException#refusedByClient()} is true and its message begins
 * "refused by the Stint client". Thread safe.
 */
public final class TaskSession implements AutoCloseable {

    private final TaskInfo task;
    private final TaskApi api;
    private final TaskTokenSource tokens;
    private final ReentrantLock endLock = new ReentrantLock();
    private boolean endedAtBroker;

    TaskSession(TaskInfo task, TaskApi api, TaskTokenSource tokens) {
        this.task = Objects.requireNonNull(task, "task");
        this.api = Objects.requireNonNull(api, "api");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    public TaskId taskId() {
        return task.taskId();
    }

    public Tier tier() {
        return task.tier();
    }

    /** Fixed when the task was opened; nothing the session returns outlives it. */
    public TaskDeadline deadline() {
        return task.deadline();
    }

    public List<Scope> scopes() {
        return task.scopes();
    }

    /** The task as the broker described it when the session began. */
    public TaskInfo info() {
        return task;
    }

    /**
     * A task token for the broker's default audience.
     *
     * @throws TaskNotActiveException when the session is dead
     * @throws BrokerRejectedException when the broker refuses for another reason
     * @throws BrokerUnavailableException when a fresh token is needed and the broker cannot give one
     */
    public TaskToken token() throws BrokerRejectedException, BrokerUnavailableException {
        return tokens.token(null);
    }

    /** A task token for {@code audience}, cached apart from other audiences; see {@link #token()}. */
    public TaskToken token(String audience) throws BrokerRejectedException, BrokerUnavailableException {
        return tokens.token(Objects.requireNonNull(audience, "audience"));
    }

    /**
     * Ends the task at the broker, which revokes everything it issued. The session stops serving
     * tokens first, so no token leaves it after this call starts, even when the broker cannot be
     * reached. Idempotent once it has succeeded; after a failure, calling it again retries.
     *
     * @throws BrokerRejectedException when the broker refuses to end the task
     * @throws BrokerUnavailableException when the broker could not confirm the end; the task may
     *     still be active there until its deadline
     */
    public void end() throws BrokerRejectedException, BrokerUnavailableException {
        tokens.close();
        endLock.lock();
        try {
            if (!endedAtBroker) {
                api.end(task.taskId());
                endedAtBroker = true;
            }
        } finally {
            endLock.unlock();
        }
    }

    /** Same as {@link #end()}. */
    @Override
    public void close() throws BrokerRejectedException, BrokerUnavailableException {
        end();
    }

    @Override
    public String toString() {
        return "TaskSession[taskId=" + task.taskId() + ", tier=" + task.tier()
                + ", deadline=" + task.deadline().at() + "]";
    }
}
