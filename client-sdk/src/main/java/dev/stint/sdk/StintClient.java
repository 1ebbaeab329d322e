package dev.stint.sdk;

import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * The entry point for an agent: authenticates with its private key ({@code private_key_jwt})
 * and opens task sessions. The agent token is cached and renewed before it expires; a 401 from
 * the task API triggers one fresh authentication and one retry. A session whose token request is
 * still refused with 401 after that (or whose fresh authentication is refused) is dead. Thread
 * safe; create one per agent and share it.
 *
 * <p>Every call throws one of two checked exceptions: {@link BrokerRejectedException} when the
 * broker refused (do not retry as is), {@link BrokerUnavailableException} when it could not
 * answer properly (unreachable, timed out, 5xx, or an answer outside the contract), or its
 * subtype {@link IssuerMismatchException} when the base URI is not the broker's issuer.
 */
public final class StintClient {

    private final StintClientOptions options;
    private final TaskApi api;

    private StintClient(StintClientOptions options, TaskApi api) {
        this.options = options;
        this.api = api;
    }

    /** A client with its own {@link HttpClient}. Does not contact the broker yet. */
    public static StintClient create(StintClientOptions options) {
        Objects.requireNonNull(options, "options");
        return create(options, HttpClient.newBuilder()
                .connectTimeout(options.requestTimeout())
                // A few small requests per task: HTTP/1.1 keep-alive suffices, and skipping the
                // h2c upgrade keeps plain-HTTP brokers and proxies predictable.
                .version(HttpClient.Version.HTTP_1_1)
                // Redirects would carry the agent token to wherever they point.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    /**
     * A client using {@code httpClient}, e.g. one with a custom {@code SSLContext}. Make sure it
     * does not follow redirects.
     */
    public static StintClient create(StintClientOptions options, HttpClient httpClient) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(httpClient, "httpClient");
        BrokerHttp http = new BrokerHttp(httpClient, options.requestTimeout(), options.clock());
        AgentTokens agentTokens = new AgentTokens(http, options.baseUri(), options.agentId(),
                options.agentKey(), options.clock(), options.safetyMargin());
        return new StintClient(options, new TaskApi(http, agentTokens, options.baseUri(),
                options.agentId(), options.clock()));
    }

    public AgentId agentId() {
        return options.agentId();
    }

    /**
     * Opens a task and returns its session.
     *
     * @throws TaskNotActiveException when the broker opened the task but it is not active (for
     *     example it awaits approval); {@link TaskNotActiveException#taskId()} names it, and
     *     {@link TaskNotActiveException#refusedByClient()} is true: no session is started
     * @throws BrokerRejectedException when policy denies the task (403), the input is bad (400) or
     *     the task id is taken (409)
     * @throws BrokerUnavailableException when the broker cannot answer properly
     */
    public TaskSession openTask(TaskRequest request) throws BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(request, "request");
        return sessionFor(api.open(request));
    }

    /**
     * A session for a task this agent opened earlier, e.g. after its approval. Sessions for the
     * same task do not share cached tokens.
     *
     * @throws TaskNotActiveException when the broker describes the task as not active; this client
     *     then refuses to start a session ({@link TaskNotActiveException#refusedByClient()})
     */
    public TaskSession resumeTask(TaskId taskId) throws BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(taskId, "taskId");
        return sessionFor(api.get(taskId));
    }

    /** The task as the broker describes it now. */
    public TaskInfo task(TaskId taskId) throws BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(taskId, "taskId");
        return api.get(taskId);
    }

    private TaskSession sessionFor(TaskInfo task) throws TaskNotActiveException {
        if (task.status() != TaskStatus.ACTIVE) {
            throw TaskNotActiveException.byClient(task.taskId(), "the broker reports task " + task.taskId()
                    + " as " + task.status().wireName() + "; a session needs an active task");
        }
        SessionLife life = new SessionLife(task.taskId(), task.deadline());
        ServeWindow window = new ServeWindow(options.safetyMargin());
        CachedTaskTokenSource tokens = new CachedTaskTokenSource(api.issuerFor(task), task.tier(), life,
                options.clock(), window, new KeyedLocks<>());
        CachedDatabaseCredentials credentials = new CachedDatabaseCredentials(
                role -> api.databaseCredentials(task, role), life, options.clock(), window, new KeyedLocks<>());
        return new TaskSession(task, api, life, tokens, credentials);
    }

    @Override
    public String toString() {
        return "StintClient[" + options + "]";
    }
}
