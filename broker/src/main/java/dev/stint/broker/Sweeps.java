package dev.stint.broker;

import dev.stint.broker.approvals.ApprovalExpiry;
import dev.stint.broker.credentials.CredentialBackends;
import dev.stint.broker.credentials.LeaseRevoker;
import dev.stint.broker.notify.WebhookSweep;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.FreezeSweep;
import dev.stint.broker.tasks.TaskExpiry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's sweeps: tasks past their deadline are expired, approval requests past their window
 * close (their tasks denied), live tasks a freeze in force catches are ended (their leases then
 * owed revocation), and leases owed revocation are revoked; then approval notices are posted to
 * the webhooks.
 * They run once before the broker serves, so that what fell due while it was down is done first,
 * then every second on the broker that leads the sweeps ({@link Store#leadsSweeps()}).
 */
final class Sweeps {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeps.class);
    static final long PERIOD_MS = 1_000;
    /** How often the databases' catalogs are searched for expired Stint logins. */
    static final long REAP_MS = 30_000;

    private final Vertx vertx;
    private final Store store;
    private final TaskExpiry expiry;
    private final FreezeSweep freezes;
    private final ApprovalExpiry approvals;
    private final LeaseRevoker revoker;
    private final CredentialBackends backends;
    private final WebhookSweep webhooks;
    private final Clock clock;

    Sweeps(Vertx vertx, Store store, TaskExpiry expiry, FreezeSweep freezes, ApprovalExpiry approvals,
            LeaseRevoker revoker, CredentialBackends backends, WebhookSweep webhooks, Clock clock) {
        this.approvals = Objects.requireNonNull(approvals, "approvals");
        this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.freezes = Objects.requireNonNull(freezes, "freezes");
        this.revoker = Objects.requireNonNull(revoker, "revoker");
    }

    /**
     * One round before serving. A backend that is down does not stop start-up: its leases are
     * recorded failed and retried by the periodic sweep.
     */
    Future<Void> beforeServing() {
        return round().recover(failure -> {
            LOG.warn("the start-up sweep did not finish; the periodic sweep carries on: {}", failure.getMessage());
            return Future.succeededFuture();
        });
    }

    void start() {
        vertx.setPeriodic(PERIOD_MS, id -> {
            if (store.leadsSweeps()) {
                round().onFailure(e -> LOG.warn("sweep failed, will retry: {}", e.getMessage()));
            }
        });
        vertx.setPeriodic(REAP_MS, id -> {
            if (store.leadsSweeps()) {
                reap();
            }
        });
    }

    /**
     * The databases' own view, as {@code stint reap} has it: expired Stint logins this broker has
     * no lease for (its store was restored from a backup, say) are ended too.
     */
    private void reap() {
        vertx.executeBlocking(() -> backends.reapAll(clock.instant()), false).onSuccess(outcomes -> {
            for (CredentialBackends.ReapOutcome outcome : outcomes) {
                if (!outcome.clean()) {
                    LOG.warn("reaping expired database logins on {}: {}", outcome.connection(), outcome.text());
                } else if (outcome.dropped() > 0) {
                    LOG.info("reaped on {}: {}", outcome.connection(), outcome.text());
                }
            }
        });
    }

    private Future<Void> round() {
        // Before the revoker, so that the leases of the tasks a freeze ends are revoked in the same round.
        Future<Void> done = expiry.sweep()
                .compose(expired -> approvals.sweep())
                .compose(expired -> freezes.sweep())
                .onSuccess(frozen -> {
                    if (frozen > 0) {
                        LOG.info("a freeze in force ended {} task(s)", frozen);
                    }
                })
                .compose(frozen -> revoker.sweep()).mapEmpty();
        // After the others, whatever they did, and not waited for: a slow webhook (up to its timeout)
        // must not hold up expiry or revocation. It skips a round while its last one is still posting.
        done.onComplete(others -> webhooks.sweep()
                .onFailure(e -> LOG.warn("webhook sweep failed, will retry: {}", e.getMessage())));
        return done;
    }
}
