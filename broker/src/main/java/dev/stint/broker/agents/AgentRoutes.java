package dev.stint.broker.agents;

import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Json;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.Gate;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** Agent registration, lookup and the kill switch; the admin credential only. */
public final class AgentRoutes {

    private final Store store;
    private final Policy policy;
    private final Gate admin;
    private final OpenTasks openTasks;
    private final Consumer<AgentId> forgetLogins;
    private final Clock clock;

    /**
     * @param openTasks ends a suspended agent's tasks inside the unit that suspends it
     * @param forgetLogins drops a suspended agent's cached logins once the suspension committed
     */
    public AgentRoutes(Store store, Policy policy, Gate admin, OpenTasks openTasks, Consumer<AgentId> forgetLogins,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.openTasks = Objects.requireNonNull(openTasks, "openTasks");
        this.forgetLogins = Objects.requireNonNull(forgetLogins, "forgetLogins");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void mount(Router router) {
        router.post("/v1/agents").handler(this::register);
        router.get("/v1/agents/:agent_id").handler(this::get);
        router.post("/v1/agents/:agent_id/suspend").handler(this::suspend);
    }

    private void register(RoutingContext ctx) {
        Instant now = clock.instant();
        admin.admit(ctx)
                .compose(actor -> Attempt.of(() -> Json.body(ctx, AgentRegistration.class).toAgent(policy, now)))
                .compose(agent -> store.write(tx -> {
                    if (!new AgentRows(tx).insert(agent)) {
                        throw new RejectedException(409, ProblemType.AGENT_EXISTS,
                                "agent " + agent.id() + " is already registered");
                    }
                    new AuditRows(tx).append(new AuditEvent("admin", "agent.register", AuditEvent.Decision.ALLOW,
                            agent.id().value(), null, null, "", "agent " + agent.id() + " registered for tiers "
                                    + String.join(",", agent.tiers().stream().map(Tier::name).toList())
                                    + ", owner " + agent.owner() + ", " + agent.jwks().getKeys().size() + " key(s)"),
                            now);
                    return agent;
                }))
                .onSuccess(agent -> ctx.response().setStatusCode(201)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Location", "/v1/agents/" + agent.id())
                        .end(Json.write(json(agent))))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(actor -> agentId(ctx))
                .compose(id -> store.read(tx -> new AgentRows(tx).find(id).orElseThrow(() -> RejectedException.notFound(
                        ProblemType.AGENT_NOT_FOUND, "agent " + id + " is not registered"))))
                .onSuccess(agent -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(Json.write(json(agent))))
                .onFailure(ctx::fail);
    }

    /** The kill switch: the agent can no longer authenticate, its tasks end and its tokens die. */
    private void suspend(RoutingContext ctx) {
        Instant now = clock.instant();
        admin.admit(ctx)
                .compose(actor -> agentId(ctx).compose(id -> store.write(tx -> {
                    AgentRows agents = new AgentRows(tx);
                    Agent agent = agents.find(id).orElseThrow(() -> RejectedException.notFound(
                            ProblemType.AGENT_NOT_FOUND, "agent " + id + " is not registered"));
                    if (agent.status() == AgentStatus.SUSPENDED) {
                        return agent;
                    }
                    agents.updateStatus(id, AgentStatus.SUSPENDED, now);
                    String reason = "agent " + id + " suspended by " + actor;
                    int tasks = openTasks.endAllOf(tx, id, actor, now);
                    int logins = new TokenRows(tx).revokeAgentTokensOf(id, now, reason);
                    new AuditRows(tx).append(new AuditEvent(actor, "agent.suspend", AuditEvent.Decision.ALLOW,
                            id.value(), null, null, "", reason + "; " + tasks + " task(s) ended, " + logins
                                    + " agent token(s) revoked"), now);
                    return agents.find(id).orElseThrow();
                })))
                .onSuccess(agent -> {
                    forgetLogins.accept(agent.id());
                    ctx.response().putHeader("Content-Type", "application/json").end(Json.write(json(agent)));
                })
                .onFailure(ctx::fail);
    }

    private static Future<AgentId> agentId(RoutingContext ctx) {
        return Attempt.of(() -> {
            try {
                return new AgentId(ctx.pathParam("agent_id"));
            } catch (IllegalArgumentException e) {
                throw RejectedException.badRequest(e.getMessage());
            }
        });
    }

    static Map<String, Object> json(Agent agent) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent_id", agent.id().value());
        body.put("owner", agent.owner());
        body.put("purpose", agent.purpose());
        body.put("tiers", agent.tiers().stream().map(Tier::name).toList());
        body.put("status", agent.status().wireName());
        body.put("jwks", agent.jwks().toJSONObject(true));
        body.put("created_at", agent.createdAt().toString());
        body.put("updated_at", agent.updatedAt().toString());
        return body;
    }
}
