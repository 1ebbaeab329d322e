package dev.stint.broker.auth;

import dev.stint.broker.http.RejectedException;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.http.ClockTicker;
import dev.stint.broker.http.Gate;
import dev.stint.broker.store.Change;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.broker.tokens.TokenRows;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stint.token.AgentId;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer} callers: the admin credential, or an agent token
 * that is unexpired, unrevoked and held by an active agent. Store failures stay failures
 * ({@link dev.stint.broker.http.UnavailableException}, 503); they never become a 401.
 *
 * <p>Refusals are audited two ways. A refused credential (nobody is authenticated) is counted
 * in the audit log's tally of unauthenticated failures, which writes bounded summaries; an
 * authenticated caller refused (an agent at an admin endpoint) gets one record, written before
 * the answer.
 */
public final class BearerAuthenticator {

    static final int MAX_TOKEN_LENGTH = 512;
    static final String ACTION = "auth.bearer";

    private record Recent(Caller.AgentCaller caller, Instant expiresAt) {
    }

    /**
     * How long a login is trusted without a store read. Other brokers sharing the store announce
     * suspensions and revocations ({@link #onChange}); should an announcement be lost, this bounds
     * how long this broker goes on accepting the login.
     */
    public static final Duration HINT_LIFE = Duration.ofSeconds(1);

    private final Store store;
    private final AuditLog audit;
    /**
     * Agent tokens seen in the last seconds, by hash: a request then needs no store round trip to
     * authenticate. Revocation and suspension on this broker forget entries at once; everything
     * that issues a credential re-checks the agent and its token inside its own store unit.
     */
    private final Cache<String, Recent> recent;
    private final AdminCredential adminCredential;
    private final Clock clock;

    /** @param audit where refused credentials are recorded before the refusal is answered */
    public BearerAuthenticator(Store store, AuditLog audit, AdminCredential adminCredential, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.adminCredential = Objects.requireNonNull(adminCredential, "adminCredential");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.recent = Caffeine.newBuilder().ticker(new ClockTicker(clock))
                .maximumSize(100_000).expireAfterWrite(HINT_LIFE).build();
    }

    /** The bearer token of the request, or a 401 saying how to send one. */
    public static String bearer(RoutingContext ctx) throws RejectedException {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isEmpty()) {
            throw RejectedException.unauthorized("send Authorization: Bearer <token>");
        }
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw RejectedException.unauthorized("the Authorization scheme must be Bearer");
        }
        String token = header.substring(7).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw RejectedException.unauthorized("the bearer token is empty or too long");
        }
        return token;
    }

    public Future<Caller> admin(RoutingContext ctx) {
        return any(ctx).compose(caller -> caller instanceof Caller.Admin
                ? Future.succeededFuture(caller)
                : refused(caller, RejectedException.forbidden("this endpoint needs the admin credential")));
    }

    /** The admin check as a gate, for features that need no more of authentication than that. */
    public Gate adminGate() {
        return ctx -> admin(ctx).map(Caller::actor);
    }

    public Future<Caller.AgentCaller> agent(RoutingContext ctx) {
        return any(ctx).compose(caller -> caller instanceof Caller.AgentCaller agentCaller
                ? Future.succeededFuture(agentCaller)
                : refused(caller, RejectedException.forbidden("this endpoint needs an agent token")));
    }

    /**
     * The authenticated caller. A presented credential that is refused is counted in the audit
     * log's tally of unauthenticated failures (summed up per reason every few seconds, so that
     * garbage requests cannot fill the disk); a request with no credential at all is not.
     */
    public Future<Caller> any(RoutingContext ctx) {
        String token;
        try {
            token = bearer(ctx);
        } catch (RejectedException e) {
            return ctx.request().getHeader("Authorization") == null
                    ? Future.failedFuture(e) : refusedCredential(e);
        }
        return fromToken(token).recover(failure -> failure instanceof RejectedException rejected
                ? refusedCredential(rejected)
                : Future.failedFuture(failure));
    }

    /** A refused credential: counted, not written one record each (no one is authenticated). */
    private <T> Future<T> refusedCredential(RejectedException rejection) {
        return audit.countUnauthenticated(new AuditEvent("anonymous", ACTION, AuditEvent.Decision.DENY, null, null,
                null, "", rejection.reason()), rejection);
    }

    /** An authenticated caller refused: one record, written before the answer. */
    private <T> Future<T> refused(Caller caller, RejectedException rejection) {
        String agentId = caller instanceof Caller.AgentCaller agent ? agent.agent().id().value() : null;
        return audit.reject(new AuditEvent(caller.actor(), ACTION, AuditEvent.Decision.DENY, agentId, null, null, "",
                rejection.reason()), rejection);
    }

    public Future<Caller> fromToken(String token) {
        if (token.startsWith(OpaqueTokens.ADMIN_PREFIX)) {
            return adminCredential.accepts(token)
                    ? Future.succeededFuture(new Caller.Admin())
                    : Future.failedFuture(RejectedException.unauthorized("the admin credential is not valid"));
        }
        if (!token.startsWith(OpaqueTokens.AGENT_PREFIX)) {
            return Future.failedFuture(RejectedException.unauthorized(
                    "the bearer token is not an agent token; get one at /oauth2/token"));
        }
        String hash = OpaqueTokens.hash(token);
        Recent seen = recent.getIfPresent(hash);
        if (seen != null && clock.instant().isBefore(seen.expiresAt())) {
            return Future.succeededFuture(seen.caller());
        }
        return store.read(tx -> {
            Optional<IssuedToken> issued = new TokenRows(tx).byHash(hash);
            if (issued.isEmpty() || issued.get().kind() != TokenKind.AGENT) {
                throw RejectedException.unauthorized("the agent token is not known");
            }
            IssuedToken found = issued.get();
            if (found.revokedAt() != null) {
                throw RejectedException.unauthorized("the agent token was revoked");
            }
            if (!clock.instant().isBefore(found.expiresAt())) {
                throw RejectedException.unauthorized("the agent token has expired; get a new one at /oauth2/token");
            }
            Agent agent = new AgentRows(tx).find(found.agentId()).orElseThrow(
                    () -> RejectedException.unauthorized("the agent of this token is not registered"));
            if (!agent.isActive()) {
                throw RejectedException.unauthorized("agent " + agent.id() + " is " + agent.status().wireName());
            }
            Caller.AgentCaller caller = new Caller.AgentCaller(agent, found.jti(), found.origin());
            recent.put(hash, new Recent(caller, found.expiresAt()));
            return caller;
        });
    }

    /** Forgets a revoked agent token at once. */
    public void forgetToken(String token) {
        recent.invalidate(OpaqueTokens.hash(token));
    }

    /** Drops what another broker changed: an agent's logins, one revoked login, or everything when changes were missed. */
    public void onChange(Change change) {
        if (change.isEverything()) {
            recent.invalidateAll();
        } else if (AgentRows.CHANGES.equals(change.topic())) {
            recent.asMap().values().removeIf(r -> r.caller().agent().id().value().equals(change.key()));
        } else if (TokenRows.CHANGES.equals(change.topic())) {
            recent.asMap().values().removeIf(r -> change.key().equals(r.caller().tokenJti()));
        }
    }

    /** Forgets every token of a suspended agent at once. */
    public void forgetAgent(AgentId agentId) {
        recent.asMap().values().removeIf(r -> r.caller().agent().id().equals(agentId));
    }
}
