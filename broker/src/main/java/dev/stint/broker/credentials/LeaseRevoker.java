package dev.stint.broker.credentials;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.store.Store;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes the leases that are owed revocation, as Vault's expiration manager does, and better:
 * each lease is claimed in a unit (so that one broker works on it at a time, and another takes it
 * over if that one dies), revoked by its backend off the event loop, and recorded revoked only
 * once the backend confirmed the login gone. A failure is recorded with its reason, audited, and
 * tried again with jittered backoff, forever: a lease stuck for long is logged as an error at
 * every attempt, and stays visible as {@code failed}.
 */
public final class LeaseRevoker {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRevoker.class);
    /** How many due leases one sweep takes. */
    static final int BATCH = 50;
    /** How long a claim keeps other sweeps off a lease: far beyond one revocation. */
    static final Duration CLAIM = Duration.ofSeconds(60);
    /** From this many failed attempts on, every further failure is logged as an error. */
    static final int STUCK_AFTER = 5;
    /** How often an end waiting for another sweep's revocation looks again. */
    static final long SETTLE_POLL_MS = 25;

    private final Vertx vertx;
    private final Store store;
    private final Supplier<Map<String, CredentialBackend>> backends;
    private final RevocationBackoff backoff;
    private final ConnectionStatus status;
    private final Clock clock;

    /** @param backends the backend connections by name, as configured now */
    public LeaseRevoker(Vertx vertx, Store store, Supplier<Map<String, CredentialBackend>> backends,
            RevocationBackoff backoff, ConnectionStatus status, Clock clock) {
        this.status = Objects.requireNonNull(status, "status");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Revokes the leases due now (the sweep); on brokers sharing a store, the sweep leader's job. */
    public Future<List<Lease>> sweep() {
        Instant now = clock.instant();
        return store.write(tx -> new LeaseRows(tx).claimDue(now, now.plus(CLAIM), BATCH)).compose(this::revokeAll);
    }

    /**
     * Revokes the due leases of one task now (its end was just recorded), and completes when each
     * is revoked or failed, or when {@code bound} has passed, whichever comes first; the rest is
     * the sweep's.
     *
     * @return the task's leases as they stand when the future completes
     */
    public Future<List<Lease>> revokeTask(AgentId agent, TaskId task, Duration bound) {
        Instant now = clock.instant();
        Future<List<Lease>> work = store.write(tx -> {
            LeaseRows rows = new LeaseRows(tx);
            List<Lease> due = new ArrayList<>();
            for (Lease lease : rows.ofTask(agent, task)) {
                if (lease.state().owesRevocation() && lease.nextAttemptAt() != null
                        && !lease.nextAttemptAt().isAfter(now)) {
                    due.add(lease);
                }
            }
            // Claimed the way a sweep claims, so that the sweep does not take them meanwhile.
            for (Lease lease : due) {
                rows.claim(lease.leaseId(), now.plus(CLAIM));
            }
            return due;
        }).compose(this::revokeAll);
        long until = System.nanoTime() + bound.toNanos();
        io.vertx.core.Promise<Void> waited = io.vertx.core.Promise.promise();
        long id = vertx.setTimer(Math.max(1, bound.toMillis()), t -> waited.tryComplete());
        work.onComplete(r -> {
            vertx.cancelTimer(id);
            waited.tryComplete();
        });
        return waited.future().compose(v -> settled(agent, task, until));
    }

    /**
     * The task's leases once none is still being revoked by someone (a sweep may have claimed one
     * before this end did), or as they stand when the bound is reached.
     */
    private Future<List<Lease>> settled(AgentId agent, TaskId task, long untilNanos) {
        return store.read(tx -> new LeaseRows(tx).ofTask(agent, task)).compose(leases -> {
            boolean inFlight = leases.stream().anyMatch(l -> l.state() == LeaseState.REVOKING
                    || l.state() == LeaseState.PENDING);
            long left = untilNanos - System.nanoTime();
            if (!inFlight || left <= 0) {
                return Future.succeededFuture(leases);
            }
            io.vertx.core.Promise<Void> pause = io.vertx.core.Promise.promise();
            vertx.setTimer(Math.max(1, Math.min(SETTLE_POLL_MS, left / 1_000_000)), t -> pause.complete());
            return pause.future().compose(v -> settled(agent, task, untilNanos));
        });
    }

    private Future<List<Lease>> revokeAll(List<Lease> claimed) {
        List<Future<Lease>> each = new ArrayList<>(claimed.size());
        for (Lease lease : claimed) {
            each.add(revokeOne(lease));
        }
        return Future.join(each).transform(done -> {
            List<Lease> out = new ArrayList<>();
            for (Future<Lease> f : each) {
                if (f.succeeded()) {
                    out.add(f.result());
                }
            }
            return Future.succeededFuture(out);
        });
    }

    private Future<Lease> revokeOne(Lease lease) {
        CredentialBackend backend = backends.get().get(lease.connection());
        Future<Void> revoked = backend == null
                ? Future.failedFuture(CredentialBackend.BackendException.unavailable("connection " + lease.connection()
                        + " is not configured on this broker (deployment file)"))
                : vertx.executeBlocking(() -> {
                    backend.revoke(lease);
                    return null;
                }, false);
        return revoked.transform(result -> {
            Instant at = clock.instant();
            if (result.succeeded()) {
                status.succeeded(lease.connection(), at);
                return store.write(tx -> {
                    if (new LeaseRows(tx).revoked(lease.leaseId(), at)) {
                        new AuditRows(tx).append(event(lease, AuditEvent.Decision.ALLOW, "database login "
                                + lease.username() + " of lease " + lease.leaseId() + " revoked on " + lease.connection()
                                + " and verified gone"), at);
                    }
                    return new LeaseRows(tx).find(lease.leaseId()).orElse(lease);
                });
            }
            if (backend != null && result.cause() instanceof CredentialBackend.BackendException failure) {
                status.failed(lease.connection(), at, failure);
            }
            String reason = reasonOf(result.cause());
            int attempts = lease.attempts() + 1;
            Instant next = at.plus(backoff.after(attempts));
            if (attempts >= STUCK_AFTER) {
                LOG.error("lease {} ({} on {}) still not revoked after {} attempts; trying again at {}: {}",
                        lease.leaseId(), lease.username(), lease.connection(), attempts, next, reason);
            } else {
                LOG.warn("revoking lease {} ({} on {}) failed (attempt {}); trying again at {}: {}", lease.leaseId(),
                        lease.username(), lease.connection(), attempts, next, reason);
            }
            return store.write(tx -> {
                LeaseRows rows = new LeaseRows(tx);
                rows.failed(lease.leaseId(), reason, next);
                new AuditRows(tx).append(event(lease, AuditEvent.Decision.ERROR, "revoking database login "
                        + lease.username() + " of lease " + lease.leaseId() + " failed (attempt " + attempts
                        + "), tried again from " + next + ": " + reason), at);
                return rows.find(lease.leaseId()).orElse(lease);
            });
        });
    }

    private static String reasonOf(Throwable failure) {
        if (failure instanceof CredentialBackend.BackendException backend) {
            return backend.reason();
        }
        // Not a backend's own reason (a worker failure): its type only, for messages may carry anything.
        return "revocation failed: " + failure.getClass().getSimpleName();
    }

    private static AuditEvent event(Lease lease, AuditEvent.Decision decision, String reason) {
        return new AuditEvent("system", "lease.revoke", decision, lease.agentId().value(), lease.taskId().value(),
                lease.tier().name(), "", reason);
    }
}
