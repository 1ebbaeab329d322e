package dev.stint.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.time.Instant;
import java.util.Objects;

/**
 * The broker's task API ({@code /v1/tasks}) as typed calls. Each call carries the agent token
 * and, when the broker answers 401, authenticates again and retries exactly once. Answers are
 * checked against the request: a task or token for another task, tier or agent is garbage.
 * Thread safe.
 */
final class TaskApi implements TaskTokenIssuer {

    private final BrokerHttp http;
    private final AgentTokens agentTokens;
    private final URI baseUri;
    private final AgentId agentId;
    private final Clock clock;

    TaskApi(BrokerHttp http, AgentTokens agentTokens, URI baseUri, AgentId agentId, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.agentTokens = Objects.requireNonNull(agentTokens, "agentTokens");
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.agentId = Objects.requireNonNull(agentId, "agentId");
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
        String what = "task read request for task " + taskId;
        TaskInfo task = parseTask(call(what, "/v1/tasks/" + taskId.value(), null), what);
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
     * {@inheritDoc}
     *
     * <p>A 403, 404 or 409 answer becomes {@link TaskNotActiveException}. The returned expiry is
     * the earlier of the broker's {@code expires_at} and {@code expires_in} counted from just
     * before the request, so a broker clock ahead of ours cannot stretch it.
     */
    @Override
    public TaskToken issue(TaskId taskId, Tier tier, String audience)
            throws BrokerRejectedException, BrokerUnavailableException {
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
            if (e.status() == 403 || e.status() == 404 || e.status() == 409) {
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
        String answeredAudience = Json.optionalText(answer, "audience");
        if (audience != null && answeredAudience != null && !audience.equals(answeredAudience)) {
            throw Json.garbage(what, "the token is for another audience than the one requested");
        }
        Instant expiresAt = byBroker.isBefore(byLifetime) ? byBroker : byLifetime;
        return new TaskToken(value, expiresAt, taskId, tier, audience);
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
                Json.instant(answer, "opened_at", what));
        if (!task.agentId().equals(agentId)) {
            throw Json.garbage(what, "the task belongs to agent " + task.agentId() + ", not " + agentId);
        }
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
            BrokerHttp.Answer answer = http.exchange(request, what);
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
