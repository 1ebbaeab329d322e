package dev.stint.broker.audit;

import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import dev.stint.broker.store.Store;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reading the audit log: "what did this agent touch, who allowed it, when was it revoked" is one
 * query ({@code GET /v1/audit?agent_id=...}); {@code GET /v1/audit/verify} re-checks the chain.
 */
public final class AuditRoutes {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final Store store;
    private final Gate admin;

    public AuditRoutes(Store store, Gate admin) {
        this.store = Objects.requireNonNull(store, "store");
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    public void mount(Router router) {
        router.get("/v1/audit").handler(this::list);
        router.get("/v1/audit/verify").handler(this::verify);
    }

    private void list(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(actor -> Attempt.of(() -> query(ctx)))
                .compose(query -> store.read(tx -> new AuditRows(tx).query(query)))
                .onSuccess(records -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("records", records.stream().map(AuditRoutes::json).toList());
                    if (!records.isEmpty()) {
                        body.put("next_after", records.get(records.size() - 1).seq());
                    }
                    ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body));
                })
                .onFailure(ctx::fail);
    }

    private void verify(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(actor -> store.read(tx -> {
                    AuditRows rows = new AuditRows(tx);
                    String prev = HashChain.GENESIS;
                    long after = 0;
                    long count = 0;
                    while (true) {
                        List<AuditRecord> page = rows.query(new AuditQuery(null, null, null, after, 5000));
                        if (page.isEmpty()) {
                            break;
                        }
                        Optional<Long> broken = HashChain.firstBreak(page, prev);
                        if (broken.isPresent()) {
                            return Map.<String, Object>of("valid", false, "records_checked", count,
                                    "first_bad_seq", broken.get());
                        }
                        count += page.size();
                        prev = page.get(page.size() - 1).hash();
                        after = page.get(page.size() - 1).seq();
                    }
                    return Map.<String, Object>of("valid", true, "records_checked", count, "head", prev);
                }))
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private static AuditQuery query(RoutingContext ctx) throws RejectedException {
        String taskId = ctx.queryParams().get("task_id");
        String agentId = ctx.queryParams().get("agent_id");
        String since = ctx.queryParams().get("since");
        String after = ctx.queryParams().get("after");
        String limit = ctx.queryParams().get("limit");
        try {
            if (taskId != null) {
                new TaskId(taskId);
            }
            if (agentId != null) {
                new AgentId(agentId);
            }
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(e.getMessage());
        }
        Instant sinceAt = null;
        if (since != null) {
            try {
                sinceAt = OffsetDateTime.parse(since).toInstant();
            } catch (DateTimeException e) {
                throw RejectedException.badRequest("since must be an RFC 3339 time such as 2026-11-24T00:00:00Z");
            }
        }
        long afterSeq = number(after, "after", 0, Long.MAX_VALUE, 0);
        int max = (int) number(limit, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        return new AuditQuery(taskId, agentId, sinceAt, afterSeq, max);
    }

    private static long number(String value, String name, long min, long max, long absent) throws RejectedException {
        if (value == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw RejectedException.badRequest(name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw RejectedException.badRequest(name + " must be a whole number");
        }
    }

    static Map<String, Object> json(AuditRecord record) {
        AuditEvent event = record.event();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", record.seq());
        body.put("at", record.at().toString());
        body.put("actor", event.actor());
        body.put("action", event.action());
        body.put("decision", event.decision().wireName());
        body.put("agent_id", event.agentId());
        body.put("task_id", event.taskId());
        body.put("tier", event.tier());
        body.put("scopes", event.scopes().isEmpty() ? List.of() : new ArrayList<>(List.of(event.scopes().split(" "))));
        body.put("reason", event.reason());
        if (event.origin() != null) {
            body.put("ci", event.origin().fields());
        }
        body.put("prev_hash", record.prevHash());
        body.put("hash", record.hash());
        return body;
    }
}
