package dev.stint.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The broker's task API ({@code /v1/tasks}) as typed calls. Each call carries the agent token
 * and, when the broker answers 401, authenticates again and retries exactly once. Answers are
 * checked against the request: a task or token for another task, tier, agent or audience, or a
 * token past the task deadline, is garbage.
 * Thread safe.
 */
final class TaskApi {

    private final BrokerHttp http;
    private final AgentTokens agentTokens;
    private final URI baseUri;
    private final AgentIdentity agent;
    private final Clock clock;

    TaskApi(BrokerHttp http, AgentTokens agentTokens, URI baseUri, AgentIdentity agent, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.agentTokens = Objects.requireNonNull(agentTokens, "agentTokens");
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.agent = Objects.requireNonNull(agent, "agent");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    TaskInfo open(TaskRequest request) throws BrokerRejectedException, BrokerUnavailableException {
        String what = "task open request (tier " + request.tier() + ")";
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (request.taskId() != null) {
            body.put("task_id", request.taskId().value());
        }
        body.put("tier", request.tier().name());
        body.put("purpose", request.purpose());
        ArrayNode scopes = body.putArray("scopes");
        request.scopes().forEach(scope -> scopes.add(scope.toString()));
        if (request.ttl() != null) {
            body.put("ttl_seconds", request.ttl().toSeconds());
        }
        TaskInfo task = parseTask(call(what, "/v1/tasks", body), what);
        if (request.taskId() != null && !request.taskId().equals(task.taskId())) {
            throw Json.garbage(what, "the broker opened task " + task.taskId() + ", not " + request.taskId());
        }
        if (!task.tier().equals(request.tier())) {
            throw Json.garbage(what, "the broker opened the task in tier " + task.tier()
                    + ", not " + request.tier());
        }
        return task;
    }

    TaskInfo get(TaskId taskId) throws BrokerRejectedException, BrokerUnavailableException {
        return get(taskId, Duration.ZERO);
    }

    /**
     * The task, read with {@code ?wait=}: a pending task's answer comes when its status changes or
     * after {@code wait} (whole seconds, at most 30); zero reads at once.
     */
    TaskInfo get(TaskId taskId, Duration wait) throws BrokerRejectedException, BrokerUnavailableException {
        String what = "task read request for task " + taskId;
        String path = "/v1/tasks/" + taskId.value() + (wait.isZero() ? "" : "?wait=" + wait.toSeconds());
        TaskInfo task = parseTask(call(what, path, null, wait), what);
        requireSameTask(task, taskId, what);
        return task;
    }

    /**
     * Ends the task; a task the broker already reports as not active counts as ended.
     *
     * @throws BrokerUnavailableException also when the broker still reports the task as active
     */
    void end(TaskId taskId) throws BrokerRejectedException, BrokerUnavailableException {
        String what = "task end request for task " + taskId;
        ObjectNode answer;
        try {
            answer = call(what, "/v1/tasks/" + taskId.value() + "/end", Json.MAPPER.createObjectNode());
        } catch (BrokerRejectedException e) {
            if (e.status() == 409 && TaskNotActiveException.TASK_NOT_ACTIVE.equals(e.problemType())) {
                return;
            }
            throw e;
        }
        TaskInfo task = parseTask(answer, what);
        requireSameTask(task, taskId, what);
        if (task.status() == TaskStatus.ACTIVE || task.status() == TaskStatus.PENDING_APPROVAL) {
            throw Json.garbage(what, "the broker still reports the task as " + task.status().wireName());
        }
    }

    /**
     * A new database login for {@code role} in {@code task}, checked against the task before it
     * is returned ({@link CredentialAnswers#credentials}).
     *
     * <p>A 401, 404 or 409 answer becomes {@link TaskNotActiveException}, as for task tokens: the
     * task is over (409), unknown (404), or the broker refused the agent itself even after one
     * fresh authentication (401). A 403 stays a plain {@link BrokerRejectedException}: here it
     * means the role is not defined for the task's tier or the task lacks its scope, which says
     * nothing about the task's other credentials.
     *
     * @param role a valid role name
     */
    DatabaseCredentials databaseCredentials(TaskInfo task, String role)
            throws BrokerRejectedException, BrokerUnavailableException {
        TaskId taskId = task.taskId();
        String what = "database credentials request for task " + taskId + " (role " + role + ")";
        ObjectNode body = Json.MAPPER.createObjectNode().put("role", role);
        ObjectNode answer;
        try {
            answer = call(what, "/v1/tasks/" + taskId.value() + "/database-credentials", body);
        } catch (BrokerRejectedException e) {
            if (e.status() == 401 || e.status() == 404 || e.status() == 409) {
                throw new TaskNotActiveException(taskId, e.status(), e.problemType(), e.detail());
            }
            throw e;
        }
        return CredentialAnswers.credentials(answer, role, task.tier(), task.deadline(), clock.instant(), what);
    }

    /** The task's database leases, in the broker's order; never a password. */
    List<LeaseInfo> leases(TaskInfo task) throws BrokerRejectedException, BrokerUnavailableException {
        String what = "lease list request for task " + task.taskId();
        return CredentialAnswers.leases(call(what, "/v1/tasks/" + task.taskId().value() + "/leases", null),
                task.tier(), what);
    }

    /** The audience the broker mints for when the request names none. */
    static String defaultAudience(Tier tier) {
        return "urn:stint:tier:" + tier.name();
    }

    /**
     * The issuer for the session of {@code task}: it mints only for that task and tier, and
     * also refuses tokens that would outlive the task's deadline.
     */
    TaskTokenIssuer issuerFor(TaskInfo task) {
        Objects.requireNonNull(task, "task");
        return (taskId, tier, audience) -> {
            if (!task.taskId().equals(taskId) || !task.tier().equals(tier)) {
                throw new IllegalArgumentException("this issuer mints only for task " + task.taskId()
                        + " in tier " + task.tier());
            }
            return issue(taskId, tier, audience, task.deadline());
        };
    }

    /**
     * A fresh task token, checked against the request before it is returned.
     *
     * <p>A 403, 404 or 409 answer becomes {@link TaskNotActiveException}, and so does a 401: the
     * broker refused the agent itself even after one fresh authentication (suspended, retired,
     * revoked), or refused that authentication ({@code invalid_client}). Either way this agent
     * gets no more tokens for the task, so the session must die rather than serve what it cached.
     *
     * <p>The answer must name the requested audience (or, when none was requested, the broker's
     * default {@code urn:stint:tier:<tier>}), and the token must be a signed JWT whose
     * {@code task_id}, {@code tier}, {@code aud} and {@code exp} claims agree with the answer and
     * whose {@code exp} is not after {@code deadline}; anything else is garbage. The signature is
     * not checked here: the SDK is not the token's verifier.
     *
     * <p>The returned expiry is the earlier of {@code exp} and {@code expires_in} counted from
     * just before the request, so a broker clock ahead of ours cannot stretch it.
     */
    TaskToken issue(TaskId taskId, Tier tier, String audience, TaskDeadline deadline)
            throws BrokerRejectedException, BrokerUnavailableException {
        Objects.requireNonNull(deadline, "deadline");
        String what = "task token request for task " + taskId;
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (audience != null) {
            body.put("audience", audience);
        }
        Instant requestedAt = clock.instant();
        ObjectNode answer;
        try {
            answer = call(what, "/v1/tasks/" + taskId.value() + "/token", body);
        } catch (BrokerRejectedException e) {
            if (e.status() == 401 || e.status() == 403 || e.status() == 404 || e.status() == 409) {
                throw new TaskNotActiveException(taskId, e.status(), e.problemType(), e.detail());
            }
            throw e;
        }
        String value = Json.text(answer, "access_token", what);
        AgentTokens.requireBearer(answer, what);
        Instant byLifetime = requestedAt.plusSeconds(Json.positiveLong(answer, "expires_in", what));
        Instant byBroker = Json.instant(answer, "expires_at", what);
        TaskId answeredTask = Json.value(answer, "task_id", what, TaskId::new);
        Tier answeredTier = Json.value(answer, "tier", what, Tier::new);
        if (!answeredTask.equals(taskId)) {
            throw Json.garbage(what, "the token is for task " + answeredTask + ", not " + taskId);
        }
        if (!answeredTier.equals(tier)) {
            throw Json.garbage(what, "the token is for tier " + answeredTier + ", not " + tier);
        }
        String expectedAudience = audience != null ? audience : defaultAudience(tier);
        if (!expectedAudience.equals(Json.text(answer, "audience", what))) {
            throw Json.garbage(what, "the token is for another audience than the one requested");
        }
        Instant exp = requireClaims(UnverifiedJwt.claims(value, "access_token", what),
                taskId, tier, expectedAudience, byBroker, deadline, what);
        Instant expiresAt = exp.isBefore(byLifetime) ? exp : byLifetime;
        return new TaskToken(value, expiresAt, taskId, tier, audience);
    }

    /**
     * Checks the token's own claims against the answer and the session; returns its {@code exp}.
     * Messages name claims and task ids, never a claim that could be secret.
     */
    private static Instant requireClaims(ObjectNode claims, TaskId taskId, Tier tier, String audience,
            Instant expiresAt, TaskDeadline deadline, String what) throws BrokerUnavailableException {
        if (!taskId.value().equals(Json.optionalText(claims, "task_id"))) {
            throw Json.garbage(what, "claim 'task_id' of the token is missing or not " + taskId);
        }
        if (!tier.name().equals(Json.optionalText(claims, "tier"))) {
            throw Json.garbage(what, "claim 'tier' of the token is missing or not " + tier);
        }
        JsonNode aud = claims.get("aud");
        boolean audOk = aud != null && (aud.isTextual() ? audience.equals(aud.asText())
                : aud.isArray() && aud.size() == 1 && aud.get(0).isTextual() && audience.equals(aud.get(0).asText()));
        if (!audOk) {
            throw Json.garbage(what, "claim 'aud' of the token is not the requested audience");
        }
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isIntegralNumber() || !exp.canConvertToLong()
                || exp.asLong() != expiresAt.getEpochSecond()) {
            throw Json.garbage(what, "claim 'exp' of the token is missing or not expires_at (" + expiresAt + ")");
        }
        Instant at = Instant.ofEpochSecond(exp.asLong());
        if (at.isAfter(deadline.at())) {
            throw Json.garbage(what, "the token expires at " + at + ", after the task deadline " + deadline.at());
        }
        return at;
    }

    private TaskInfo parseTask(ObjectNode answer, String what) throws BrokerUnavailableException {
        String status = Json.text(answer, "status", what);
        TaskInfo task = new TaskInfo(
                Json.value(answer, "task_id", what, TaskId::new),
                Json.value(answer, "agent_id", what, AgentId::new),
                Json.value(answer, "tier", what, Tier::new),
                Json.text(answer, "purpose", what),
                Json.values(answer, "scopes", what, Scope::parse),
                Json.value(answer, "deadline", what, text -> new TaskDeadline(Instant.parse(text))),
                TaskStatus.fromWire(status).orElseThrow(() -> Json.garbage(what,
                        "field 'status' is not a known task status: " + BrokerHttp.readable(status))),
                Json.instant(answer, "opened_at", what),
                Json.optionalText(answer, "approval_id"),
                Json.optionalText(answer, "end_reason"));
        agent.check(task.agentId(), what);
        return task;
    }

    private static void requireSameTask(TaskInfo task, TaskId expected, String what)
            throws BrokerUnavailableException {
        if (!task.taskId().equals(expected)) {
            throw Json.garbage(what, "the broker described task " + task.taskId() + ", not " + expected);
        }
    }

    /** POSTs {@code body} (or GETs when it is null) with the agent token; one retry after a 401. */
    private ObjectNode call(String what, String path, ObjectNode body)
            throws BrokerRejectedException, BrokerUnavailableException {
        return call(what, path, body, Duration.ZERO);
    }

    /** @param held how long the broker may hold the request before it answers (a long poll) */
    private ObjectNode call(String what, String path, ObjectNode body, Duration held)
            throws BrokerRejectedException, BrokerUnavailableException {
        URI uri = URI.create(baseUri + path);
        byte[] json = body == null ? null : serialise(body);
        for (int attempt = 1; ; attempt++) {
            String bearer = agentTokens.bearer();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + bearer);
            if (json == null) {
                request.GET();
            } else {
                request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json));
            }
            BrokerHttp.Answer answer = http.exchange(request, what, held);
            if (answer.status() == 401 && attempt == 1) {
                // Agent tokens can be revoked or outlive a broker restart: authenticate once more.
                agentTokens.invalidate(bearer);
                continue;
            }
            return http.json(answer, what);
        }
    }

    private static byte[] serialise(ObjectNode body) {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a request body", e);
        }
    }
}
