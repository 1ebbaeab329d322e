package dev.stint.broker;

import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.audit.FailureTally;
import dev.stint.broker.http.Json;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.notify.WebhookHealth;
import dev.stint.broker.policy.ReloadingPolicy;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health}: whether the broker can do its work now. The store is healthy only when a
 * unit makes the round trip through its writer in time and writes are not failing: a store that
 * reads fine while every write fails is unavailable. Public, so it names states, not internals;
 * causes go to the log. Webhooks that fail are shown ({@code webhooks}) but change neither the
 * status nor the code: a notice that does not arrive delays people, never the broker's work, and
 * approvals are still decided on their page.
 */
final class Health {

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    /** A writer that has not run a unit within this long is as good as down. */
    static final long WRITER_PROBE_TIMEOUT_MS = 2_000;

    private final Vertx vertx;
    private final Store store;
    private final ReloadingPolicy policy;
    private final BrokerKeys keys;
    private final FailureTally refusals;
    private final BackendHealth backends;
    private final WebhookHealth webhooks;

    Health(Vertx vertx, Store store, ReloadingPolicy policy, BrokerKeys keys, FailureTally refusals,
            BackendHealth backends, WebhookHealth webhooks) {
        this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    void handle(RoutingContext ctx) {
        Future<java.util.List<Map<String, Object>>> webhookReport = webhooks.configured() ? webhooks.report()
                : Future.succeededFuture(java.util.List.of());
        probeWriter().onComplete(probe -> backends.report(store).onComplete(backendReport -> webhookReport.onComplete(
                hooks -> {
            Optional<String> writeFailure = probe.failed()
                    ? Optional.of("the store writer did not answer") : store.writeFailure();
            writeFailure.ifPresent(reason -> LOG.warn("health: store unavailable: {}", reason));
            boolean storeOk = writeFailure.isEmpty();
            boolean policyOk = policy.lastError().isEmpty();
            Map<String, Object> body = new LinkedHashMap<>();
            boolean backendsOk = backendReport.succeeded() && !backendReport.result().degraded();
            body.put("status", !storeOk ? "unavailable" : policyOk && backendsOk ? "ok" : "degraded");
            body.put("store", storeOk ? "ok" : "unavailable");
            writeFailure.ifPresent(reason -> body.put("store_writer", reason));
            if (store instanceof PostgresStore shared) {
                body.put("store_kind", "postgresql");
                body.put("store_changes", shared.hearsOtherBrokers() ? "listening" : "reconnecting");
                body.put("sweeps", shared.leadsSweeps() ? "this broker" : "another broker");
            } else {
                body.put("store_kind", "embedded");
            }
            body.put("policy", policyOk ? "ok"
                    : "a new policy file was rejected; the previous policy is in force (see the broker log)");
            body.put("signing_key", keys.keySet().active().kid());
            // Unauthenticated refusals are tallied, not written one row each: their live counts.
            body.put("refused_unauthenticated", refusals.refused());
            body.put("failed_unauthenticated", refusals.failed());
            if (probe.succeeded()) {
                body.put("audit_head_seq", probe.result().map(AuditRecord::seq).orElse(0L));
            }
            if (backendReport.succeeded() && !backendReport.result().connections().isEmpty()) {
                body.put("backends", backendReport.result().connections());
            }
            if (hooks.succeeded() && !hooks.result().isEmpty()) {
                body.put("webhooks", hooks.result());
            }
            ctx.response().setStatusCode(storeOk ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end(Json.write(body));
        })));
    }

    /** Reads the audit head through the writer's queue: proof that the writer runs units now. */
    private Future<Optional<AuditRecord>> probeWriter() {
        Promise<Optional<AuditRecord>> answered = Promise.promise();
        long timer = vertx.setTimer(WRITER_PROBE_TIMEOUT_MS,
                id -> answered.tryFail("the store writer did not answer within " + WRITER_PROBE_TIMEOUT_MS + " ms"));
        store.write(tx -> new AuditRows(tx).last()).onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.succeeded()) {
                answered.tryComplete(result.result());
            } else {
                answered.tryFail(result.cause());
            }
        });
        return answered.future();
    }
}
