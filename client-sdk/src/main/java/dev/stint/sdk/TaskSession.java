package dev.stint.sdk;

import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
 * {@link #token()} and {@link #databaseCredentials(String)} throws {@link TaskNotActiveException}
 * and nothing cached is ever returned again. After {@link #end()} or the deadline the session
 * refuses on its own, without a request: the exception's
 * {@link TaskNotActiveException#refusedByClient()} is true and its message begins "refused by the
 * Stint client". Thread safe.
 *
 * <p>A task whose scopes need people's approval opens pending: {@link #isPending()} is true and
 * {@link #approvalId()} names the request people decide on. Nothing is issued for it until
 * {@link #awaitApproval} has seen it active:
 *
 * <pre>{@code
 * try (TaskSession task = client.openTask(request)) {
 *     if (task.isPending()) {
 *         task.awaitApproval(Duration.ofMinutes(10), seen -> log.info("still awaiting {}", seen.approvalId()));
 *     }
 *     callTheDatabase(task.token().value());
 * }
 * }</pre>
 */
public final class TaskSession implements AutoCloseable {

    private final TaskInfo task;
    /** The task as last described: the opened one, or the active one once the approval came. */
    private volatile TaskInfo current;
    private final TaskApi api;
    private final SessionLife life;
    private final TaskTokenSource tokens;
    private final CachedDatabaseCredentials credentials;
    private final ReentrantLock endLock = new ReentrantLock();
    private boolean endedAtBroker;

    /** @param life shared by {@code tokens} and {@code credentials}, so that they die together */
    TaskSession(TaskInfo task, TaskApi api, SessionLife life, TaskTokenSource tokens,
            CachedDatabaseCredentials credentials) {
        this.task = Objects.requireNonNull(task, "task");
        this.current = task;
        this.api = Objects.requireNonNull(api, "api");
        this.life = Objects.requireNonNull(life, "life");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
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

    /** The task as the broker last described it: when the session began, or when its approval came. */
    public TaskInfo info() {
        return current;
    }

    /** True while the task awaits approval: nothing is issued until {@link #awaitApproval} saw it active. */
    public boolean isPending() {
        return current.status() == TaskStatus.PENDING_APPROVAL;
    }

    /** The approval request of a task opened pending, as the broker named it; empty for other tasks. */
    public java.util.Optional<String> approvalId() {
        return java.util.Optional.ofNullable(task.approvalId());
    }

    /**
     * Waits until people decide on a pending task, long-polling the broker (each request held up
     * to 30 s, never past {@code timeout}); returns at once for a task already active. A broker
     * that cannot be reached is asked again after a short jittered backoff while time remains.
     *
     * @param timeout how long to wait in all
     * @param progress called with the task after each answer that finds it still pending (on the
     *     calling thread); not called once it is decided
     * @return the task, now active: the session serves tokens and credentials from here on
     * @throws TaskNotApprovedException when the broker reports the task denied, ended or expired
     *     (with its reason when the broker gives one); the session is then dead
     * @throws ApprovalTimeoutException when the task still awaits approval after {@code timeout}
     * @throws TaskNotActiveException when this session was ended already (no request is sent)
     * @throws BrokerRejectedException when the broker refuses the read (404: the task is unknown)
     * @throws BrokerUnavailableException when the broker could not be reached before the time ran out
     */
    public TaskInfo awaitApproval(Duration timeout, Consumer<TaskInfo> progress) throws TaskNotApprovedException,
            ApprovalTimeoutException, BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progress, "progress");
        if (!isPending()) {
            return current;
        }
        if (life.hasDied()) {
            life.requireAlive(java.time.Instant.MIN);
        }
        TaskInfo decided;
        try {
            decided = ApprovalWait.until(current, timeout, progress, wait -> api.get(task.taskId(), wait));
        } catch (TaskNotApprovedException e) {
            current = e.task();
            life.die(TaskNotActiveException.byClient(task.taskId(), e.getMessage()));
            throw e;
        }
        current = decided;
        return decided;
    }

    /** Refuses while the task awaits approval: nothing is issued for it yet. */
    private void requireDecided() {
        if (isPending()) {
            throw new IllegalStateException("task " + task.taskId() + " awaits approval"
                    + (task.approvalId() == null ? "" : " (approval " + task.approvalId() + ")")
                    + "; call awaitApproval first");
        }
    }

    /**
     * A task token for the broker's default audience.
     *
     * @throws IllegalStateException while the task awaits approval ({@link #isPending()})
     * @throws TaskNotActiveException when the session is dead
     * @throws BrokerRejectedException when the broker refuses for another reason
     * @throws BrokerUnavailableException when a fresh token is needed and the broker cannot give one
     */
    public TaskToken token() throws BrokerRejectedException, BrokerUnavailableException {
        requireDecided();
        return tokens.token(null);
    }

    /** A task token for {@code audience}, cached apart from other audiences; see {@link #token()}. */
    public TaskToken token(String audience) throws BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(audience, "audience");
        requireDecided();
        return tokens.token(audience);
    }

    /**
     * A database login for {@code role} (a role the policy defines for this task's tier, e.g.
     * {@code orders-readonly}), cached per role:
     *
     * <pre>{@code
     * DatabaseCredentials c = task.databaseCredentials("orders-readonly");
     * try (Connection db = DriverManager.getConnection(c.jdbcUrl(), c.username(), c.password())) { ... }
     * }</pre>
     *
     * <p>A second call for the role returns the same credentials without a request while they
     * stay valid for at least the client's safety margin (for a lease shorter than twice the
     * margin, for half its life); after that a new login is requested. Concurrent callers for one
     * role cause one request. The credentials are checked before they are returned: for this
     * role, in this task's tier, valid now and not past the task's deadline. Connections opened
     * with them may be cut when they expire or the task ends.
     *
     * @param role not null
     * @throws TaskNotActiveException when the session is dead (no request is sent then), or the
     *     broker says the task is over; the session is then dead for tokens too
     * @throws BrokerRejectedException when {@code role} is not a role name
     *     ({@code [a-z0-9][a-z0-9_-]{0,62}}): refused by this client without a request (400); or
     *     when the broker refuses: the role is not defined for the tier or the task lacks its
     *     scope (403), the role is malformed (400)
     * @throws BrokerUnavailableException when the broker cannot give credentials: it has no
     *     backend for the tier or the backend is down (503), the task has too many leases (429),
     *     both with {@link BrokerUnavailableException#retryAfter()} when the broker says; or it
     *     answered something outside the contract (another tier or role, a missing field, an
     *     expiry past the deadline)
     */
    public DatabaseCredentials databaseCredentials(String role)
            throws BrokerRejectedException, BrokerUnavailableException {
        requireDecided();
        return credentials.get(role);
    }

    /**
     * The task's database leases as the broker reports them now, including revoked ones; never
     * a password. Works on a dead session too, to watch its leases being revoked.
     *
     * @return in the broker's order; empty when the task never had a lease
     * @throws BrokerRejectedException when the broker refuses (404: the task is unknown)
     * @throws BrokerUnavailableException when the broker cannot answer properly
     */
    public List<LeaseInfo> leases() throws BrokerRejectedException, BrokerUnavailableException {
        return api.leases(task);
    }

    /**
     * Ends the task at the broker, which revokes everything it issued. The session stops serving
     * tokens and database credentials first, so none leaves it after this call starts, even when
     * the broker cannot be reached. Idempotent once it has succeeded; after a failure, calling it
     * again retries.
     *
     * @throws BrokerRejectedException when the broker refuses to end the task
     * @throws BrokerUnavailableException when the broker could not confirm the end; the task may
     *     still be active there until its deadline
     */
    public void end() throws BrokerRejectedException, BrokerUnavailableException {
        life.end();
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
