package dev.stint.broker.credentials;

import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.TaskRoutes;
import dev.stint.broker.tasks.TaskService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The leases of a task ({@code GET /v1/tasks/{id}/leases}, its owner or the admin) and the leases
 * of the whole deployment by state ({@code GET /v1/leases?state=revoking|failed...}, the admin).
 */
public final class CredentialRoutes {

    /** At most this many leases in one listing. */
    static final int MAX_LISTED = 500;

    private final Store store;
    private final TaskService tasks;
    private final DatabaseCredentials credentials;
    private final BearerAuthenticator bearer;
    private final Gate admin;

    public CredentialRoutes(Store store, TaskService tasks, DatabaseCredentials credentials, BearerAuthenticator bearer,
            Gate admin) {
        this.store = Objects.requireNonNull(store, "store");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.bearer = Objects.requireNonNull(bearer, "bearer");
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    public void mount(Router router) {
        router.post("/v1/tasks/:task_id/database-credentials").handler(this::issue);
        router.get("/v1/tasks/:task_id/leases").handler(this::ofTask);
        router.get("/v1/leases").handler(this::byState);
    }

    private void issue(RoutingContext ctx) {
        bearer.agent(ctx)
                .compose(caller -> Attempt.of(() -> TaskRoutes.taskRef(ctx).id())
                        .compose(id -> Attempt.of(() -> Json.body(ctx, CredentialRequest.class))
                                .compose(request -> credentials.issue(caller, id, request.role()))))
                .onSuccess(issued -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("username", issued.login().username());
                    body.put("password", issued.login().password());
                    body.put("lease_id", issued.lease().leaseId());
                    body.put("expires_at", issued.lease().expiresAt().toString());
                    if (issued.endpoint() != null) {
                        body.put("host", issued.endpoint().host());
                        body.put("port", issued.endpoint().port());
                        body.put("database", issued.endpoint().database());
                    }
                    body.put("role", issued.lease().role());
                    body.put("tier", issued.lease().tier().name());
                    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                            .end(Json.write(body));
                })
                .onFailure(ctx::fail);
    }

    private void ofTask(RoutingContext ctx) {
        bearer.any(ctx)
                // The task service decides who may see the task: its owner, or the admin.
                .compose(caller -> Attempt.of(() -> TaskRoutes.taskRef(ctx)).compose(ref -> tasks.get(caller, ref)))
                .compose(task -> store.read(tx -> new LeaseRows(tx).ofTask(task.agentId(), task.id())))
                .onSuccess(leases -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(Json.write(LeaseJson.list(leases))))
                .onFailure(ctx::fail);
    }

    private void byState(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(actor -> Attempt.of(() -> state(ctx)))
                .compose(state -> store.read(tx -> new LeaseRows(tx).inState(state, MAX_LISTED)))
                .onSuccess(leases -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(Json.write(LeaseJson.list(leases))))
                .onFailure(ctx::fail);
    }

    private static LeaseState state(RoutingContext ctx) throws RejectedException {
        String state = ctx.queryParams().get("state");
        if (state == null) {
            throw RejectedException.badRequest("say which leases: ?state=pending|active|revoking|failed|revoked");
        }
        try {
            return LeaseState.fromWire(state.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest("state must be one of pending, active, revoking, failed, revoked");
        }
    }
}
