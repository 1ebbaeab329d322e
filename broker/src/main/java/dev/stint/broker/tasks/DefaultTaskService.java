package dev.stint.broker.tasks;

import dev.stint.broker.auth.Caller;
import dev.stint.broker.http.FreeText;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.policy.Decision;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.policy.PolicyRequest;
import dev.stint.broker.policy.TierPolicy;
import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.http.ClockTicker;
import dev.stint.broker.store.Change;
import dev.stint.broker.store.Store;
import dev.stint.broker.store.Tx;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.KeyUnavailableException;
import dev.stint.token.Scope;
import dev.stint.token.TaskClaims;
import dev.stint.token.TaskDeadline;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import dev.stint.broker.tokens.OpaqueTokens;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** Wires policy, store, audit and keys into the task lifecycle; decides nothing itself. */
public final class DefaultTaskService implements TaskService {

    static final int MAX_SCOPES = 32;
    static final long MAX_TTL_SECONDS = 366L * 24 * 3600;
    private static final String TIER_URN = "urn:stint:tier:";
    private static final Pattern AUDIENCE = Pattern.compile("[\\x21-\\x7e]{1,256}");

    private final String issuer;
    private final Store store;
    private final AuditLog audit;
    private final Policy policy;
    private final BrokerKeys keys;
    private final Duration taskTokenTtl;
    private final TaskEnder ender;
    private final Clock clock;
    private final Optional<ApprovalRequests> approvals;
    /**
     * Recently read tasks, to sign without a store round trip first. Only a hint: a task's
     * status only moves towards final, and the unit that releases a token re-reads the task, the
     * agent and the agent token under the store's single writer, so a stale entry can cost a
     * wasted signature, never an unwarranted token.
     */
    private final Cache<TaskKey, Task> recentTasks;

    /** A task's identity: ids are unique per agent. */
    private record TaskKey(AgentId agent, TaskId id) {
    }

    public DefaultTaskService(String issuer, Store store, AuditLog audit, Policy policy, BrokerKeys keys,
            Duration taskTokenTtl, TaskEnder ender, Clock clock) {
        this(issuer, store, audit, policy, keys, taskTokenTtl, ender, Optional.empty(), clock);
    }

    /** @param approvals where a task needing approval asks for it; empty refuses such tasks */
    public DefaultTaskService(String issuer, Store store, AuditLog audit, Policy policy, BrokerKeys keys,
            Duration taskTokenTtl, TaskEnder ender, Optional<ApprovalRequests> approvals, Clock clock) {
        this.approvals = Objects.requireNonNull(approvals, "approvals");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.taskTokenTtl = Objects.requireNonNull(taskTokenTtl, "taskTokenTtl");
        this.ender = Objects.requireNonNull(ender, "ender");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.recentTasks = Caffeine.newBuilder().ticker(new ClockTicker(clock))
                .maximumSize(100_000).expireAfterWrite(BearerAuthenticator.HINT_LIFE).build();
    }

    /** The audience of task tokens when the caller names none. */
    public static String defaultAudience(Tier tier) {
        return TIER_URN + tier.name();
    }

    @Override
    public Future<OpenedTask> open(Caller.AgentCaller caller, OpenTaskRequest request) {
        Agent agent = caller.agent();
        TaskId id;
        Tier tier;
        String purpose;
        List<Scope> scopes;
        Duration ttl;
        try {
            id = request.taskId() == null ? TaskId.random() : taskId(request.taskId());
            tier = tier(request.tier());
            purpose = FreeText.require(request.purpose(), "purpose", 500);
            scopes = scopes(request.scopes());
            ttl = ttl(request.ttlSeconds());
        } catch (RejectedException e) {
            return Future.failedFuture(e);
        }
        Instant now = clock.instant();
        Decision decision = policy.decide(new PolicyRequest(agent.subject(), tier, scopes, ttl, now));
        String scopeText = Scope.join(scopes);
        if (!decision.allowed() && !(decision.pending() && approvals.isPresent())) {
            // Without approvals wired in, a task that would wait for people is refused, saying why.
            String reason = decision.pending()
                    ? decision.reason() + "; this broker does not take approvals yet, so the task is denied"
                    : decision.reason();
            return audit.reject(new AuditEvent(caller.actor(), "task.open", AuditEvent.Decision.DENY,
                    agent.id().value(), id.value(), tier.name(), scopeText, reason, caller.origin()),
                    new RejectedException(403, ProblemType.POLICY_DENIED, reason));
        }
        TaskDeadline deadline = TaskDeadline.after(now, decision.ttl());
        boolean ttlCapped = ttl != null && decision.ttl().compareTo(ttl) < 0;
        boolean pending = decision.pending();
        Task task = new Task(id, agent.id(), tier, purpose, scopes, now, deadline,
                pending ? TaskStatus.PENDING_APPROVAL : TaskStatus.ACTIVE, null, null);
        return store.write(tx -> {
            StillAuthorised.require(tx, caller, now);
            if (!new TaskRows(tx).insert(task)) {
                throw new RejectedException(409, ProblemType.TASK_EXISTS,
                        "you already have a task " + id + "; choose another task_id or omit it");
            }
            if (caller.origin() != null) {
                // Every later record about this task names the CI run that opened it.
                new AuditRows(tx).attachOrigin(agent.id().value(), id.value(), caller.origin());
            }
            // Nothing is issued for a pending task until its quorum is met; its deadline runs from now.
            String approvalId = pending
                    ? approvals.orElseThrow().request(tx, task, agent.owner(), decision.approval(), now) : null;
            new AuditRows(tx).append(new AuditEvent(caller.actor(), "task.open", pending ? AuditEvent.Decision.PENDING
                    : AuditEvent.Decision.ALLOW, agent.id().value(), id.value(), tier.name(), scopeText,
                    decision.reason() + (pending ? "; approval " + approvalId : "") + "; deadline " + deadline.at()),
                    now);
            return new OpenedTask(task, ttlCapped, approvalId);
        }).recover(failure -> failure instanceof RejectedException rejected
                ? audit.reject(new AuditEvent(caller.actor(), "task.open", AuditEvent.Decision.DENY,
                        agent.id().value(), id.value(), tier.name(), scopeText, rejected.reason(), caller.origin()),
                        rejected)
                : Future.failedFuture(failure));
    }

    @Override
    public Future<Task> get(Caller caller, TaskRef ref) {
        return store.read(tx -> owned(tx, caller, ref));
    }

    @Override
    public Future<Task> end(Caller caller, TaskRef ref) {
        Instant now = clock.instant();
        TaskId id = ref.id();
        return store.write(tx -> {
            Task task = owned(tx, caller, ref);
            if (task.status().isFinal()) {
                return task;
            }
            ender.end(tx, task, task.deadline().hasPassed(now)
                    ? TaskEnder.Ending.deadlinePassed(task, caller.actor(), "task.end")
                    : TaskEnder.Ending.byCaller(caller.actor()), now);
            return new TaskRows(tx).find(task.agentId(), id).orElseThrow();
        }).onSuccess(task -> recentTasks.invalidate(new TaskKey(task.agentId(), id)))
                .recover(failure -> failure instanceof RejectedException rejected
                        ? audit.reject(new AuditEvent(caller.actor(), "task.end", AuditEvent.Decision.DENY,
                                caller instanceof Caller.AgentCaller a ? a.agent().id().value() : null, id.value(),
                                null, "", rejected.reason()), rejected)
                        : Future.failedFuture(failure));
    }

    @Override
    public Future<MintedToken> mint(Caller.AgentCaller caller, TaskId id, MintRequest request) {
        String requestedAudience = request.audience();
        if (requestedAudience != null && !AUDIENCE.matcher(requestedAudience).matches()) {
            return Future.failedFuture(RejectedException.badRequest(
                    "audience must be 1-256 printable ASCII characters without spaces"));
        }
        Instant now = clock.instant();
        Agent agent = caller.agent();
        return task(caller, id).recover(failure -> failure instanceof RejectedException rejected
                ? audit.reject(new AuditEvent(caller.actor(), "token.mint", AuditEvent.Decision.DENY,
                        agent.id().value(), id.value(), null, "", rejected.reason()), rejected)
                : Future.failedFuture(failure)).compose(task -> {
            String scopeText = Scope.join(task.scopes());
            Instant expiresAt = expiry(task, now);
            Optional<RejectedException> refusal = refusal(task, agent, now, expiresAt)
                    .or(() -> otherTiersAudience(requestedAudience, task.tier()));
            if (refusal.isPresent()) {
                return audit.reject(new AuditEvent(caller.actor(), "token.mint", AuditEvent.Decision.DENY,
                        agent.id().value(), id.value(), task.tier().name(), scopeText, refusal.get().reason()),
                        refusal.get());
            }
            // The task's own tier URN, in any case, is named the one canonical way verifiers pin.
            String audience = requestedAudience == null || requestedAudience.equalsIgnoreCase(defaultAudience(task.tier()))
                    ? defaultAudience(task.tier()) : requestedAudience;
            TaskClaims claims = new TaskClaims(issuer, agent.id(), audience, now, now, expiresAt,
                    OpaqueTokens.randomId(), task.id(), task.tier(), task.scopes(), task.deadline(), agent.owner(),
                    task.approvedBy());
            String token;
            try {
                token = keys.minter().mint(claims);
            } catch (KeyUnavailableException e) {
                return Future.failedFuture(new UnavailableException("task token signing failed", e));
            }
            return store.write(tx -> {
                // The authoritative check, under the single writer, just before the token is released,
                // as of when it runs (the writer may have had a queue).
                Instant at = clock.instant();
                StillAuthorised.require(tx, caller, at);
                // Only its status can have changed since it was read: the schema fixes the rest.
                Task current = new TaskRows(tx).refresh(task).orElseThrow(() -> RejectedException.notFound(
                        ProblemType.TASK_NOT_FOUND, "task " + id + " not found"));
                if (!current.isActiveAt(at)) {
                    throw notActive(current, at);
                }
                new TokenRows(tx).insert(new IssuedToken(claims.jwtId(), TokenKind.TASK, null, agent.id(), task.id(),
                        task.tier(), scopeText, audience, now, claims.expiresAt(), null, null));
                new AuditRows(tx).append(new AuditEvent(caller.actor(), "token.mint", AuditEvent.Decision.ALLOW,
                        agent.id().value(), id.value(), task.tier().name(), scopeText,
                        "task token " + claims.jwtId() + " for " + audience + " expires " + claims.expiresAt()
                                + " (deadline " + task.deadline().at() + ")"
                                + (task.approvedBy().isEmpty() ? "" : (task.breakGlass() ? "; break-glass" : "")
                                        + "; approved by " + String.join(", ", task.approvedBy()))), at);
                return new MintedToken(token, claims);
            }).recover(failure -> {
                recentTasks.invalidate(new TaskKey(agent.id(), id));
                return failure instanceof RejectedException rejected
                        ? audit.reject(new AuditEvent(caller.actor(), "token.mint", AuditEvent.Decision.DENY,
                                agent.id().value(), id.value(), task.tier().name(), scopeText, rejected.reason()),
                                rejected)
                        : Future.failedFuture(failure);
            });
        });
    }

    @Override
    public Future<IssuanceWindow> issuable(Caller.AgentCaller caller, TaskId id) {
        Instant now = clock.instant();
        return task(caller, id).compose(task -> {
            if (!task.isActiveAt(now)) {
                return Future.failedFuture(notActive(task, now));
            }
            // Policy may have changed since the task was opened: what it no longer grants is not issued.
            Decision decision = policy.decide(new PolicyRequest(caller.agent().subject(), task.tier(), task.scopes(),
                    null, now));
            if (!grants(decision, task)) {
                return Future.failedFuture(new RejectedException(403, ProblemType.POLICY_DENIED,
                        "the policy no longer allows this task: " + decision.reason()));
            }
            Instant deadline = task.deadline().at();
            Instant until = policy.nextFreeze(task.tier(), task.scopes(), now, Duration.between(now, deadline),
                            breakGlassApprovals(task))
                    .filter(freeze -> freeze.isBefore(deadline))
                    .orElse(deadline);
            if (!until.isAfter(now.plusSeconds(1))) {
                return Future.failedFuture(new RejectedException(409, ProblemType.TASK_NOT_ACTIVE,
                        "task " + id + " reaches its deadline or a freeze of its actions at " + until
                                + ", in under a second"));
            }
            return Future.succeededFuture(new IssuanceWindow(task, until));
        });
    }

    /** Drops a task another broker ended, or every hint when changes were missed. */
    public void onChange(Change change) {
        if (change.isEverything()) {
            recentTasks.invalidateAll();
        } else if (TaskRows.CHANGES.equals(change.topic())) {
            recentTasks.asMap().keySet().removeIf(k -> TaskRows.changeKey(k.agent(), k.id()).equals(change.key()));
        }
    }

    /** The caller's task, from the recent-task hint or the store. */
    private Future<Task> task(Caller.AgentCaller caller, TaskId id) {
        TaskKey key = new TaskKey(caller.agent().id(), id);
        Task recent = recentTasks.getIfPresent(key);
        if (recent != null) {
            return Future.succeededFuture(recent);
        }
        return store.read(tx -> owned(tx, caller, TaskRef.of(id))).onSuccess(task -> recentTasks.put(key, task));
    }



    /**
     * A token's expiry: its lifetime, cut at the task deadline and at the start of any freeze on
     * the task's actions, so that no token carries an action into a freeze.
     */
    private Instant expiry(Task task, Instant now) {
        Instant exp = task.deadline().cap(now.plus(taskTokenTtl));
        return policy.nextFreeze(task.tier(), task.scopes(), now, taskTokenTtl, breakGlassApprovals(task))
                .filter(freeze -> freeze.isBefore(exp))
                .map(freeze -> freeze.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .orElse(exp);
    }

    /** Stint's own tier audiences are pinned: a dev task's token never names prod as its audience. */
    private static Optional<RejectedException> otherTiersAudience(String audience, Tier tier) {
        // URNs compare case-insensitively in their "urn" and namespace parts (RFC 8141), and Stint's
        // tier names are lower case: URN:STINT:TIER:prod names prod as surely as urn:stint:tier:prod.
        if (audience != null && audience.regionMatches(true, 0, TIER_URN, 0, TIER_URN.length())
                && !audience.equalsIgnoreCase(defaultAudience(tier))) {
            return Optional.of(RejectedException.forbidden("audience " + audience + " belongs to another tier; tokens"
                    + " of a " + tier + " task are for " + defaultAudience(tier) + " or a service's own audience"));
        }
        return Optional.empty();
    }

    /**
     * Whether the policy grants the task's scopes now: outright, or, for scopes that need approval,
     * because at least the quorum the policy asks today approved the task; through a freeze in
     * force only if they approved it as break-glass.
     */
    private static boolean grants(Decision decision, Task task) {
        return decision.allowed() || decision.pending() && task.approvedBy().size() >= decision.approval().quorum()
                && (!decision.approval().isBreakGlass() || task.breakGlass());
    }

    /** How many people approved the task as break-glass: 0 when it was not approved so. */
    private static int breakGlassApprovals(Task task) {
        return task.breakGlass() ? task.approvedBy().size() : 0;
    }

    /** Why no token may be minted for this task now, if anything forbids it. */
    private Optional<RejectedException> refusal(Task task, Agent agent, Instant now, Instant expiresAt) {
        if (!task.isActiveAt(now)) {
            return Optional.of(notActive(task, now));
        }
        if (!task.deadline().cap(now.plus(taskTokenTtl)).isAfter(now.plusSeconds(1))) {
            return Optional.of(new RejectedException(409, ProblemType.TASK_NOT_ACTIVE,
                    "task " + task.id() + " reaches its deadline " + task.deadline().at()
                            + " in under a second; open a new task"));
        }
        // Policy may have changed since the task was opened: what it no longer grants is not minted.
        Decision decision = policy.decide(new PolicyRequest(agent.subject(), task.tier(), task.scopes(), null, now));
        if (!grants(decision, task)) {
            return Optional.of(new RejectedException(403, ProblemType.POLICY_DENIED,
                    "the policy no longer allows this task: " + decision.reason()));
        }
        if (!expiresAt.isAfter(now.plusSeconds(1))) {
            return Optional.of(RejectedException.forbidden("a freeze on one of this task's actions in tier "
                    + task.tier() + " starts in under a second; no token is minted into it"));
        }
        return Optional.empty();
    }

    private static RejectedException notActive(Task task, Instant now) {
        TaskStatus status = task.statusAt(now);
        String when = status == TaskStatus.EXPIRED
                ? "its deadline " + task.deadline().at() + " has passed"
                : "it is " + status.wireName() + (task.endReason() == null ? "" : " (" + task.endReason() + ")");
        return new RejectedException(409, ProblemType.TASK_NOT_ACTIVE,
                "task " + task.id() + " is not active: " + when + "; open a new task");
    }

    /**
     * The task a request names. An agent names only its own tasks: ids are unique per agent, so
     * another agent's task of the same id is never even read. The admin reads any agent's, and
     * must say whose when several agents have a task of that id.
     */
    private static Task owned(Tx tx, Caller caller, TaskRef ref) throws RejectedException, UnavailableException {
        TaskRows tasks = new TaskRows(tx);
        RejectedException notFound = RejectedException.notFound(ProblemType.TASK_NOT_FOUND,
                "task " + ref.id() + " not found");
        if (caller instanceof Caller.AgentCaller agent) {
            if (ref.agent() != null && !ref.agent().equals(agent.agent().id())) {
                throw notFound;
            }
            return tasks.find(agent.agent().id(), ref.id()).orElseThrow(() -> notFound);
        }
        if (ref.agent() != null) {
            return tasks.find(ref.agent(), ref.id()).orElseThrow(() -> notFound);
        }
        List<Task> found = tasks.withId(ref.id(), 2);
        if (found.isEmpty()) {
            throw notFound;
        }
        if (found.size() > 1) {
            throw new RejectedException(409, ProblemType.INVALID_REQUEST, "several agents have a task " + ref.id()
                    + "; name the agent with ?agent_id=");
        }
        return found.get(0);
    }

    private static TaskId taskId(String value) throws RejectedException {
        try {
            return new TaskId(value);
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(e.getMessage());
        }
    }

    private Tier tier(String name) throws RejectedException {
        if (name == null) {
            throw RejectedException.badRequest("tier is required");
        }
        Tier tier = Tier.parseOrNull(name);
        Optional<TierPolicy> limits = tier == null ? Optional.empty() : policy.tier(tier);
        if (limits.isEmpty()) {
            throw RejectedException.badRequest("tier " + (tier == null ? "(malformed)" : name)
                    + " is not defined in the policy; defined: " + String.join(", ",
                            policy.document().tiers().keySet().stream().map(Tier::name).toList()));
        }
        return tier;
    }

    private static List<Scope> scopes(List<String> values) throws RejectedException {
        if (values == null || values.isEmpty()) {
            throw RejectedException.badRequest("scopes is required: at least one <kind>:<resource>:<action>");
        }
        if (values.size() > MAX_SCOPES) {
            throw RejectedException.badRequest("at most " + MAX_SCOPES + " scopes per task");
        }
        List<Scope> scopes = new ArrayList<>();
        for (String value : values) {
            if (value == null) {
                throw RejectedException.badRequest("scopes[" + scopes.size() + "] is null; give <kind>:<resource>:<action>");
            }
            try {
                scopes.add(Scope.parse(value));
            } catch (IllegalArgumentException e) {
                throw RejectedException.badRequest("scopes[" + scopes.size() + "] is invalid: " + e.getMessage());
            }
        }
        return Scope.canonical(scopes);
    }

    private static Duration ttl(Long seconds) throws RejectedException {
        if (seconds == null) {
            return null;
        }
        if (seconds < 1 || seconds > MAX_TTL_SECONDS) {
            throw RejectedException.badRequest("ttl_seconds must be between 1 and " + MAX_TTL_SECONDS);
        }
        return Duration.ofSeconds(seconds);
    }
}
