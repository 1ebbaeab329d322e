package dev.stint.broker.tasks;

import dev.stint.broker.http.RejectedException;
import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Json;
import dev.stint.token.Scope;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The task API: open, read, end, and mint task tokens. */
public final class TaskRoutes {

    private final TaskService tasks;
    private final BearerAuthenticator bearer;
    private final Clock clock;

    /**
     * What else the answer to an end reports, once the task has ended: the leases plug in here,
     * waiting (a bounded time) until their logins are gone.
     */
    @FunctionalInterface
    public interface EndReport {
        EndReport NONE = task -> Future.succeededFuture(Map.of());

        /** Fields added to the ended task's JSON. */
        Future<Map<String, Object>> after(Task ended);
    }

    private final EndReport endReport;
    private final TaskWatch watch;

    /** @param watch holds reads of pending tasks that ask to wait ({@code ?wait=}) */
    public TaskRoutes(TaskService tasks, BearerAuthenticator bearer, Clock clock, EndReport endReport,
            TaskWatch watch) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.bearer = Objects.requireNonNull(bearer, "bearer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.endReport = Objects.requireNonNull(endReport, "endReport");
        this.watch = Objects.requireNonNull(watch, "watch");
    }

    public void mount(Router router) {
        router.post("/v1/tasks").handler(this::open);
        router.get("/v1/tasks/:task_id").handler(this::get);
        router.post("/v1/tasks/:task_id/end").handler(this::end);
        router.post("/v1/tasks/:task_id/token").handler(this::token);
    }

    private void open(RoutingContext ctx) {
        bearer.agent(ctx)
                .compose(caller -> Attempt.of(() -> Json.body(ctx, OpenTaskRequest.class))
                        .compose(request -> tasks.open(caller, request)))
                .onSuccess(opened -> {
                    Map<String, Object> body = json(opened.task(), clock.instant());
                    body.put("ttl_capped", opened.ttlCapped());
                    if (opened.approvalId() != null) {
                        body.put("approval_id", opened.approvalId());
                    }
                    ctx.response().setStatusCode(201)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Location", "/v1/tasks/" + opened.task().id())
                            .end(Json.write(body));
                })
                .onFailure(ctx::fail);
    }

    /**
     * The task; with {@code ?wait=N} (seconds, at most {@link TaskWatch#MAX_WAIT_SECONDS}) a
     * pending task's answer waits until its status changes or N seconds passed. The caller is
     * authenticated and its task read before anything waits.
     */
    private void get(RoutingContext ctx) {
        bearer.any(ctx)
                .compose(caller -> Attempt.of(() -> taskRef(ctx)).compose(ref -> Attempt.of(() -> waitFor(ctx))
                        .compose(wait -> tasks.get(caller, ref).compose(task -> wait.isZero()
                                || task.statusAt(clock.instant()) != TaskStatus.PENDING_APPROVAL
                                ? Future.succeededFuture(task)
                                : held(ctx, task, wait, () -> tasks.get(caller, ref))))))
                .onSuccess(task -> {
                    if (!ctx.response().closed()) {
                        ctx.response().putHeader("Content-Type", "application/json")
                                .end(Json.write(json(task, clock.instant())));
                    }
                })
                .onFailure(failure -> {
                    if (!ctx.response().closed()) {
                        ctx.fail(failure);
                    }
                });
    }

    private Future<Task> held(RoutingContext ctx, Task task, Duration wait,
            java.util.function.Supplier<Future<Task>> reread) {
        TaskWatch.Held held = watch.hold(task, wait, reread);
        // A client that goes away lets its wait go at once.
        ctx.response().closeHandler(v -> held.cancel());
        return held.answer();
    }

    /** How long {@code ?wait=} asks to wait: zero when absent; whole seconds 0-30, given once. */
    static Duration waitFor(RoutingContext ctx) throws RejectedException {
        java.util.List<String> values = ctx.queryParams().getAll("wait");
        if (values.isEmpty()) {
            return Duration.ZERO;
        }
        String value = values.get(0);
        if (values.size() > 1 || !value.matches("[0-9]{1,2}")
                || Integer.parseInt(value) > TaskWatch.MAX_WAIT_SECONDS) {
            throw RejectedException.badRequest("wait must be given once, as whole seconds from 0 to "
                    + TaskWatch.MAX_WAIT_SECONDS);
        }
        return Duration.ofSeconds(Integer.parseInt(value));
    }

    private void end(RoutingContext ctx) {
        bearer.any(ctx)
                .compose(caller -> Attempt.of(() -> taskRef(ctx)).compose(ref -> tasks.end(caller, ref)))
                .compose(task -> endReport.after(task).map(more -> {
                    Map<String, Object> body = json(task, clock.instant());
                    body.putAll(more);
                    return body;
                }))
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private void token(RoutingContext ctx) {
        bearer.agent(ctx)
                .compose(caller -> Attempt.of(() -> taskId(ctx))
                        .compose(id -> Attempt.of(() -> Json.optionalBody(ctx, MintRequest.class, MintRequest.EMPTY))
                                .compose(request -> tasks.mint(caller, id, request))))
                .onSuccess(minted -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("access_token", minted.token());
                    body.put("token_type", "Bearer");
                    // Counted from the token's own iat: the lifetime it was minted with, at least 1 s.
                    body.put("expires_in",
                            Duration.between(minted.claims().issuedAt(), minted.claims().expiresAt()).toSeconds());
                    body.put("expires_at", minted.claims().expiresAt().toString());
                    body.put("task_id", minted.claims().taskId().value());
                    body.put("tier", minted.claims().tier().name());
                    body.put("scope", Scope.join(minted.claims().scopes()));
                    body.put("audience", minted.claims().audience());
                    body.put("deadline", minted.claims().deadline().at().toString());
                    ctx.response().putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(Json.write(body));
                })
                .onFailure(ctx::fail);
    }

    /** The JSON form of a task as of {@code now}. */
    public static Map<String, Object> json(Task task, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("task_id", task.id().value());
        body.put("agent_id", task.agentId().value());
        body.put("tier", task.tier().name());
        body.put("purpose", task.purpose());
        body.put("scopes", task.scopes().stream().map(Scope::toString).toList());
        body.put("status", task.statusAt(now).wireName());
        body.put("opened_at", task.openedAt().toString());
        body.put("deadline", task.deadline().at().toString());
        if (task.endedAt() != null) {
            body.put("ended_at", task.endedAt().toString());
            body.put("end_reason", task.endReason());
        }
        return body;
    }

    /** The task of the path, and the agent of {@code ?agent_id=} when the admin names one. */
    public static TaskRef taskRef(RoutingContext ctx) throws RejectedException {
        String agent = ctx.queryParams().get("agent_id");
        try {
            return new TaskRef(taskId(ctx), agent == null ? null : new AgentId(agent));
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(e.getMessage());
        }
    }

    private static TaskId taskId(RoutingContext ctx) throws RejectedException {
        try {
            return new TaskId(ctx.pathParam("task_id"));
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(e.getMessage());
        }
    }
}
