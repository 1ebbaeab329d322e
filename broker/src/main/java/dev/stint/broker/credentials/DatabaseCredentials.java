package dev.stint.broker.credentials;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.auth.Caller;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.StillAuthorised;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tasks.TaskService;
import dev.stint.token.TaskId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Issues database logins for tasks. The lease's intent is recorded before the backend is asked
 * (a crash in between leaves a row the sweep cleans up), the backend is called off the event loop
 * and outside any unit, and the lease becomes active only if its task is still active when the
 * answer is recorded; otherwise the login is revoked at once. The password passes through once
 * and is never stored or logged.
 */
public final class DatabaseCredentials {

    /** A task gets at most this many leases over its life; past it, 429. */
    public static final int MAX_LEASES_PER_TASK = 20;
    /** How long an issue may take before its lease is given up and cleaned. */
    static final Duration ISSUE_TIME = Duration.ofSeconds(60);
    private static final Pattern ROLE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final Store store;
    private final TaskService tasks;
    private final AuditLog audit;
    private final RoleCatalog roles;
    private final Supplier<Map<String, CredentialBackend>> backends;
    private final ConnectionStatus status;
    private final Clock clock;

    public DatabaseCredentials(Vertx vertx, Store store, TaskService tasks, AuditLog audit, RoleCatalog roles,
            Supplier<Map<String, CredentialBackend>> backends, ConnectionStatus status, Clock clock) {
        this.status = Objects.requireNonNull(status, "status");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.roles = Objects.requireNonNull(roles, "roles");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A login made for a lease, with where to connect. */
    public record Issued(Lease lease, CredentialBackend.IssuedLogin login, CredentialBackend.Endpoint endpoint) {
        @Override
        public String toString() {
            return "Issued[lease=" + lease.leaseId() + ", login=" + login + "]";
        }
    }

    /** Issues a login of {@code roleName} for the caller's task. */
    public Future<Issued> issue(Caller.AgentCaller caller, TaskId taskId, String roleName) {
        if (roleName == null || !ROLE_NAME.matcher(roleName).matches()) {
            return Future.failedFuture(RejectedException.badRequest(
                    "role must be a database role name of the policy: lower case letters, digits, '-' and '_'"));
        }
        return tasks.issuable(caller, taskId).compose(window -> {
            Task task = window.task();
            RoleCatalog.GrantableRole role = roles.find(roleName, task.tier()).orElse(null);
            if (role == null) {
                return refuse(caller, task, roleName, RejectedException.forbidden("the policy defines no database role "
                        + roleName + " for tier " + task.tier()));
            }
            if (!task.scopes().contains(role.scope())) {
                return refuse(caller, task, roleName, RejectedException.forbidden("database role " + roleName
                        + " needs scope " + role.scope() + ", which task " + task.id() + " does not hold"));
            }
            if (role.connection().isEmpty()) {
                return Future.failedFuture(new UnavailableException("no " + role.provider().wireName()
                        + " backend is configured for tier " + task.tier() + " (the deployment file's backends)"));
            }
            CredentialBackend backend = backends.get().get(role.connection().get());
            if (backend == null) {
                return Future.failedFuture(new UnavailableException("connection " + role.connection().get()
                        + " is not configured on this broker"));
            }
            return recordIntent(caller, task, role, backend, window.until())
                    .compose(lease -> callBackend(lease, role, backend, window.until()))
                    .compose(made -> recordOutcome(caller, task, made, backend));
        });
    }

    private <T> Future<T> refuse(Caller.AgentCaller caller, Task task, String role, RejectedException rejection) {
        return audit.reject(event(caller, task, AuditEvent.Decision.DENY, "database login for role " + role
                + " refused: " + rejection.reason()), rejection);
    }

    private Future<Lease> recordIntent(Caller.AgentCaller caller, Task task, RoleCatalog.GrantableRole role,
            CredentialBackend backend, Instant until) {
        Instant now = clock.instant();
        String leaseId = "lse_" + HexFormat.of().formatHex(randomBytes(12));
        return store.write(tx -> {
            StillAuthorised.require(tx, caller, now);
            Task current = new TaskRows(tx).refresh(task).orElseThrow(() -> RejectedException.notFound(
                    ProblemType.TASK_NOT_FOUND, "task " + task.id() + " not found"));
            if (!current.isActiveAt(now)) {
                throw new RejectedException(409, ProblemType.TASK_NOT_ACTIVE, "task " + task.id() + " is "
                        + current.statusAt(now).wireName());
            }
            LeaseRows rows = new LeaseRows(tx);
            if (rows.countOfTask(task.agentId(), task.id()) >= MAX_LEASES_PER_TASK) {
                throw new RejectedException(429, ProblemType.INVALID_REQUEST, "task " + task.id() + " has had "
                        + MAX_LEASES_PER_TASK + " database leases, the most a task may have; open a new task");
            }
            Lease lease = Lease.intent(leaseId, task.agentId(), task.id(), task.tier(), role.name(),
                    role.connection().orElseThrow(), role.provider(), backend.plannedUsername(task.tier()), now, until,
                    now.plus(ISSUE_TIME));
            rows.insert(lease);
            return lease;
        }).recover(failure -> failure instanceof RejectedException rejected
                ? refuse(caller, task, role.name(), rejected)
                : Future.failedFuture(failure));
    }

    private record Made(Lease lease, CredentialBackend.IssuedLogin login, String failure, String leftBehind) {
    }

    private Future<Made> callBackend(Lease lease, RoleCatalog.GrantableRole role, CredentialBackend backend,
            Instant until) {
        return vertx.executeBlocking(() -> new Made(lease, backend.issue(lease, role.request(), until), null, null),
                false).onSuccess(made -> status.succeeded(backend.connection(), clock.instant()))
                .recover(failure -> {
                    if (failure instanceof CredentialBackend.BackendException backendFailure) {
                        status.failed(backend.connection(), clock.instant(), backendFailure);
                        return Future.succeededFuture(new Made(lease, null, backendFailure.reason(),
                                backendFailure.leftBehind().orElse(null)));
                    }
                    return Future.succeededFuture(new Made(lease, null, "the backend call failed: "
                            + failure.getClass().getSimpleName(), null));
                });
    }

    private Future<Issued> recordOutcome(Caller.AgentCaller caller, Task task, Made made, CredentialBackend backend) {
        Instant now = clock.instant();
        Lease lease = made.lease();
        if (made.failure() != null) {
            // Whatever the backend may have made half-way is removed by the lease's revocation.
            return store.write(tx -> {
                if (made.leftBehind() != null) {
                    new LeaseRows(tx).recordBackendLogin(lease.leaseId(), null, made.leftBehind());
                }
                new LeaseRows(tx).revoke(lease.leaseId(), now, made.failure());
                new AuditRows(tx).append(event(caller, task, AuditEvent.Decision.ERROR, "database login for role "
                        + lease.role() + " on " + lease.connection() + " not issued (lease " + lease.leaseId()
                        + " revoking): " + made.failure()), now);
                return null;
            }).compose(v -> Future.failedFuture(new UnavailableException("the database backend "
                    + lease.connection() + " could not issue a login: " + made.failure())));
        }
        CredentialBackend.IssuedLogin login = made.login();
        Instant expiresAt = login.expiresAt().isAfter(lease.expiresAt()) ? lease.expiresAt() : login.expiresAt();
        return store.write(tx -> {
            LeaseRows rows = new LeaseRows(tx);
            if (!rows.activate(lease.leaseId(), login.username(), login.backendLeaseId(), expiresAt)) {
                // The task ended while the backend worked: the login is revoked like the task's others.
                rows.recordBackendLogin(lease.leaseId(), login.username(), login.backendLeaseId());
                new AuditRows(tx).append(event(caller, task, AuditEvent.Decision.DENY, "database login "
                        + login.username() + " (lease " + lease.leaseId() + ") made after task " + task.id()
                        + " ended; revoking it"), now);
                return null;
            }
            new AuditRows(tx).append(event(caller, task, AuditEvent.Decision.ALLOW, "database login "
                    + login.username() + " for role " + lease.role() + " on " + lease.connection() + " (lease "
                    + lease.leaseId() + ") expires " + expiresAt + " (deadline " + task.deadline().at() + ")"
                    + (task.approvedBy().isEmpty() ? "" : (task.breakGlass() ? "; break-glass" : "")
                            + "; approved by " + String.join(", ", task.approvedBy()))),
                    now);
            return rows.find(lease.leaseId()).orElseThrow();
        }).compose(active -> active == null
                ? Future.failedFuture(new RejectedException(409, ProblemType.TASK_NOT_ACTIVE, "task " + task.id()
                        + " ended while its database login was being made; the login is being revoked"))
                : Future.succeededFuture(new Issued(active, login, backend.endpoint().orElse(null))));
    }

    private static AuditEvent event(Caller.AgentCaller caller, Task task, AuditEvent.Decision decision,
            String reason) {
        return new AuditEvent(caller.actor(), "db.credentials", decision, task.agentId().value(), task.id().value(),
                task.tier().name(), "", reason);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
