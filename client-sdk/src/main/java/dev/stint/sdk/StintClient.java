package dev.stint.sdk;

import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The entry point for an agent: authenticates with its private key ({@code private_key_jwt}, see
 * {@link StintClientOptions}) or by exchanging a CI job's OIDC token (RFC 8693, see
 * {@link TokenExchangeOptions}), and opens task sessions. The agent token is cached and renewed
 * before it expires; a 401 from the task API triggers one fresh authentication and one retry. A
 * session whose token request is still refused with 401 after that (or whose fresh
 * authentication is refused) is dead. Thread safe; create one per agent and share it.
 *
 * <p>Every call throws one of two checked exceptions: {@link BrokerRejectedException} when the
 * broker refused (do not retry as is), {@link BrokerUnavailableException} when it could not
 * answer properly (unreachable, timed out, 5xx, or an answer outside the contract), or its
 * subtypes {@link IssuerMismatchException} when the base URI is not the broker's issuer and
 * {@link SubjectTokenUnavailableException} when a token exchange found no subject token.
 */
public final class StintClient {

    private final String description;
    private final Clock clock;
    private final Duration safetyMargin;
    private final AgentIdentity agent;
    private final AgentTokens agentTokens;
    private final TaskApi api;

    private StintClient(String description, Clock clock, Duration safetyMargin, AgentIdentity agent,
            AgentTokens agentTokens, TaskApi api) {
        this.description = description;
        this.clock = clock;
        this.safetyMargin = safetyMargin;
        this.agent = agent;
        this.agentTokens = agentTokens;
        this.api = api;
    }

    /** A client with its own {@link HttpClient}. Does not contact the broker yet. */
    public static StintClient create(StintClientOptions options) {
        Objects.requireNonNull(options, "options");
        return create(options, newHttpClient(options.requestTimeout()));
    }

    /**
     * A client using {@code httpClient}, e.g. one with a custom {@code SSLContext}. Make sure it
     * does not follow redirects.
     */
    public static StintClient create(StintClientOptions options, HttpClient httpClient) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(httpClient, "httpClient");
        return create(options.toString(), options.baseUri(), options.clock(), options.requestTimeout(),
                options.safetyMargin(), AgentIdentity.of(options.agentId()),
                new ClientCredentialsGrant(options.agentId(), options.agentKey()), httpClient);
    }

    /** A client that authenticates by token exchange, with its own {@link HttpClient}. Does not contact anyone yet. */
    public static StintClient create(TokenExchangeOptions options) {
        Objects.requireNonNull(options, "options");
        return create(options, newHttpClient(options.requestTimeout()));
    }

    /** As {@link #create(TokenExchangeOptions)}, using {@code httpClient}; make sure it does not follow redirects. */
    public static StintClient create(TokenExchangeOptions options, HttpClient httpClient) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(httpClient, "httpClient");
        return create(options.toString(), options.baseUri(), options.clock(), options.requestTimeout(),
                options.safetyMargin(), AgentIdentity.learnedFromAnswers(),
                new TokenExchangeGrant(options.subjectTokens()), httpClient);
    }

    private static StintClient create(String description, URI baseUri, Clock clock, Duration requestTimeout,
            Duration safetyMargin, AgentIdentity agent, AgentGrant grant, HttpClient httpClient) {
        BrokerHttp http = new BrokerHttp(httpClient, requestTimeout, clock);
        AgentTokens agentTokens = new AgentTokens(http, baseUri, grant, clock, safetyMargin);
        return new StintClient(description, clock, safetyMargin, agent, agentTokens,
                new TaskApi(http, agentTokens, baseUri, agent, clock));
    }

    private static HttpClient newHttpClient(Duration requestTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(requestTimeout)
                // A few small requests per task: HTTP/1.1 keep-alive suffices, and skipping the
                // h2c upgrade keeps plain-HTTP brokers and proxies predictable.
                .version(HttpClient.Version.HTTP_1_1)
                // Redirects would carry the agent token to wherever they point.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The agent this client acts as: the one its {@link StintClientOptions} name, or, for a
     * client that authenticates by token exchange, the one the broker's first task answer named.
     *
     * @throws IllegalStateException for a token-exchange client before any task answer
     */
    public AgentId agentId() {
        return agent.known().orElseThrow(() -> new IllegalStateException(
                "the agent is not known yet: the broker names it in its first task answer"));
    }

    /**
     * The agent token this client uses on the task API now, authenticating first when it holds
     * none that stays valid (the same token every task call would carry). For scripts that call
     * the broker themselves, and for callers that must finish before {@link AgentToken#renewsAt()}
     * because their {@link SubjectTokenSource} cannot give a second subject token.
     *
     * @throws BrokerRejectedException when the broker refuses the authentication
     * @throws BrokerUnavailableException when it cannot answer properly, or no subject token was had
     */
    public AgentToken agentToken() throws BrokerRejectedException, BrokerUnavailableException {
        return agentTokens.token();
    }

    /**
     * Opens a task and returns its session. A task that needs people's approval opens pending:
     * the session says so ({@link TaskSession#isPending()}, {@link TaskSession#approvalId()}) and
     * issues nothing until {@link TaskSession#awaitApproval} has seen it active.
     *
     * @throws TaskNotActiveException when the broker opened the task but it is neither active nor
     *     pending; {@link TaskNotActiveException#taskId()} names it, and
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
     * A session for a task this agent opened earlier, e.g. after its approval (pending when it
     * still awaits it). Sessions for the same task do not share cached tokens.
     *
     * @throws TaskNotActiveException when the broker describes the task as neither active nor pending; this client
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
        if (task.status() != TaskStatus.ACTIVE && task.status() != TaskStatus.PENDING_APPROVAL) {
            throw TaskNotActiveException.byClient(task.taskId(), "the broker reports task " + task.taskId()
                    + " as " + task.status().wireName() + "; a session needs an active or pending task");
        }
        SessionLife life = new SessionLife(task.taskId(), task.deadline());
        ServeWindow window = new ServeWindow(safetyMargin);
        CachedTaskTokenSource tokens = new CachedTaskTokenSource(api.issuerFor(task), task.tier(), life,
                clock, window, new KeyedLocks<>());
        CachedDatabaseCredentials credentials = new CachedDatabaseCredentials(
                role -> api.databaseCredentials(task, role), life, clock, window, new KeyedLocks<>());
        return new TaskSession(task, api, life, tokens, credentials);
    }

    @Override
    public String toString() {
        return "StintClient[" + description + "]";
    }
}
