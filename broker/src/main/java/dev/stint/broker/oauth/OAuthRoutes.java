package dev.stint.broker.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import dev.stint.broker.auth.Caller;
import dev.stint.broker.http.OAuthRejectedException;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.auth.BearerAuthenticator;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.MediaTypes;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.store.Store;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.auth.ClientAssertionVerifier;
import dev.stint.broker.auth.ClientAuthentication;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.NewAgentToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.broker.tasks.Task;
import dev.stint.token.DefaultTaskTokenVerifier;
import dev.stint.token.KeyUnavailableException;
import dev.stint.token.Scope;
import dev.stint.token.TaskClaims;
import dev.stint.token.TaskTokenVerifier;
import dev.stint.token.TokenRejectedException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OAuth 2.0 surface: server metadata (RFC 8414), the JWKS, the token endpoint
 * ({@code client_credentials} with {@code private_key_jwt}, RFC 7523; token exchange, RFC 8693, by a
 * {@link TokenExchangeGrant}), introspection (RFC 7662)
 * and revocation (RFC 7009).
 */
public final class OAuthRoutes {

    public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

    private final String issuer;
    private final Store store;
    private final BrokerKeys keys;
    private final BearerAuthenticator bearer;
    private final ClientAuthentication clients;
    private final TaskTokenVerifier taskTokens;
    private final Duration agentTokenTtl;
    private final Clock clock;
    private final TokenExchangeGrant exchange;

    /**
     * @param ecdsaProvider the JCA provider that checks ECDSA client-assertion signatures; empty
     *     for the JDK's default
     */
    public OAuthRoutes(String issuer, Store store, AuditLog audit, BrokerKeys keys, BearerAuthenticator bearer,
            Optional<Provider> ecdsaProvider, Duration agentTokenTtl, TokenExchangeGrant exchange, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.store = Objects.requireNonNull(store, "store");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.bearer = Objects.requireNonNull(bearer, "bearer");
        this.agentTokenTtl = Objects.requireNonNull(agentTokenTtl, "agentTokenTtl");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.exchange = Objects.requireNonNull(exchange, "exchange");
        // RFC 7523: aud identifies this server; its issuer and the URL of any of its endpoints do.
        this.clients = new ClientAuthentication(store, new ClientAssertionVerifier(store, issuer, Set.of(issuer,
                tokenEndpoint(), issuer + "/oauth2/introspect", issuer + "/oauth2/revoke"), ecdsaProvider, clock),
                audit);
        // The broker's own view of its tokens: any audience and tier, no clock leeway.
        this.taskTokens = new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256), kid -> keys.keySet().keysFor(kid),
                issuer, Duration.ZERO, List.of(), clock);
    }

    public void mount(Router router) {
        router.get("/.well-known/oauth-authorization-server").handler(this::metadata);
        router.get("/.well-known/jwks.json").handler(this::jwks);
        router.post("/oauth2/token").handler(this::token);
        router.post("/oauth2/introspect").handler(this::introspect);
        router.post("/oauth2/revoke").handler(this::revoke);
    }

    private String tokenEndpoint() {
        return issuer + "/oauth2/token";
    }

    private void metadata(RoutingContext ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("issuer", issuer);
        body.put("token_endpoint", tokenEndpoint());
        body.put("jwks_uri", issuer + "/.well-known/jwks.json");
        body.put("introspection_endpoint", issuer + "/oauth2/introspect");
        body.put("revocation_endpoint", issuer + "/oauth2/revoke");
        body.put("grant_types_supported", List.of("client_credentials", TOKEN_EXCHANGE));
        body.put("response_types_supported", List.of());
        body.put("token_endpoint_auth_methods_supported", List.of("private_key_jwt"));
        body.put("token_endpoint_auth_signing_alg_values_supported", algorithms());
        // RFC 8414 allows access token types here: "Bearer" says an agent or admin token authenticates too.
        body.put("introspection_endpoint_auth_methods_supported", List.of("private_key_jwt", "Bearer"));
        body.put("introspection_endpoint_auth_signing_alg_values_supported", algorithms());
        body.put("revocation_endpoint_auth_methods_supported", List.of("private_key_jwt", "Bearer"));
        body.put("revocation_endpoint_auth_signing_alg_values_supported", algorithms());
        ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body));
    }

    private static List<String> algorithms() {
        return new TreeSet<>(ClientAssertionVerifier.ALGORITHMS.stream().map(JWSAlgorithm::getName).toList())
                .stream().toList();
    }

    private void jwks(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "public, max-age=" + BrokerKeys.JWKS_MAX_AGE.toSeconds())
                .end(Json.write(keys.keySet().publicJwks().toJSONObject(true)));
    }

    // token endpoint

    private void token(RoutingContext ctx) {
        MultiMap form;
        try {
            form = form(ctx);
        } catch (RejectedException e) {
            ctx.fail(e);
            return;
        }
        String grantType = form.get("grant_type");
        if (grantType == null) {
            ctx.fail(OAuthRejectedException.invalidRequest("grant_type is required"));
            return;
        }
        if (TOKEN_EXCHANGE.equals(grantType)) {
            exchange.exchange(form).onSuccess(body -> answerToken(ctx, body)).onFailure(ctx::fail);
            return;
        }
        if (!"client_credentials".equals(grantType)) {
            ctx.fail(new OAuthRejectedException(400, "unsupported_grant_type",
                    "grant_type must be client_credentials or " + TOKEN_EXCHANGE));
            return;
        }
        Instant now = clock.instant();
        withClientAssertion(form, (tx, agent) -> {
            NewAgentToken token = NewAgentToken.issue(tx, agent.id(), issuer, now, agentTokenTtl, null);
            new AuditRows(tx).append(new AuditEvent("agent:" + agent.id(), "agent.authenticate", AuditEvent.Decision.ALLOW,
                    agent.id().value(), null, null, "",
                    "agent token " + token.jti() + " issued by private_key_jwt, expires " + token.expiresAt()), now);
            return token;
        })
                .onSuccess(token -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("access_token", token.value());
                    body.put("token_type", "Bearer");
                    body.put("expires_in", agentTokenTtl.toSeconds());
                    answerToken(ctx, body);
                })
                .onFailure(ctx::fail);
    }

    /** A token answer: never cached by anything between the broker and the client (RFC 6749, 5.1). */
    public static void answerToken(RoutingContext ctx, Map<String, Object> body) {
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .putHeader("Pragma", "no-cache")
                .end(Json.write(body));
    }

    // introspection and revocation

    private void introspect(RoutingContext ctx) {
        MultiMap form = tokenForm(ctx);
        if (form == null) {
            return;
        }
        caller(ctx, form)
                .compose(caller -> inspect(form.get("token"), caller))
                .onSuccess(body -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        MultiMap form = tokenForm(ctx);
        if (form == null) {
            return;
        }
        String token = form.get("token");
        caller(ctx, form)
                .compose(caller -> identify(token).compose(found -> found
                        .filter(t -> mayAccess(caller, t.agentId().value()))
                        .map(t -> revokeRecord(t, caller).onSuccess(v -> bearer.forgetToken(token)))
                        .orElse(Future.succeededFuture())))
                .onSuccess(v -> ctx.response().putHeader("Cache-Control", "no-store").setStatusCode(200).end())
                .onFailure(ctx::fail);
    }

    private Future<Void> revokeRecord(IssuedToken token, Caller caller) {
        Instant now = clock.instant();
        return store.write(tx -> {
            if (new TokenRows(tx).revoke(token.jti(), now, "revoked by " + caller.actor())) {
                new AuditRows(tx).append(new AuditEvent(caller.actor(), "token.revoke", AuditEvent.Decision.ALLOW,
                        token.agentId().value(), token.taskId() == null ? null : token.taskId().value(),
                        token.tier() == null ? null : token.tier().name(), token.scope(),
                        token.kind().wireName() + " token " + token.jti() + " revoked on request (RFC 7009)"), now);
            }
            return null;
        });
    }

    /** The issued-token record behind a presented token, when it is one of ours. */
    private Future<Optional<IssuedToken>> identify(String token) {
        if (token.startsWith(OpaqueTokens.AGENT_PREFIX)) {
            String hash = OpaqueTokens.hash(token);
            return store.read(tx -> new TokenRows(tx).byHash(hash));
        }
        return verifiedClaims(token).compose(claims -> claims.isEmpty()
                ? Future.succeededFuture(Optional.empty())
                : store.read(tx -> new TokenRows(tx).byJti(claims.get().jwtId())));
    }

    /** The claims of a genuine task token of ours; empty when it is not one; failed when keys are unusable. */
    private Future<Optional<TaskClaims>> verifiedClaims(String token) {
        try {
            return Future.succeededFuture(Optional.of(taskTokens.verify(token)));
        } catch (TokenRejectedException e) {
            return Future.succeededFuture(Optional.empty());
        } catch (KeyUnavailableException e) {
            return Future.failedFuture(new UnavailableException("task token verification failed: " + e.getMessage(), e));
        }
    }

    private Future<Map<String, Object>> inspect(String token, Caller caller) {
        Instant now = clock.instant();
        Map<String, Object> inactive = Map.of("active", false);
        if (token.startsWith(OpaqueTokens.AGENT_PREFIX)) {
            String hash = OpaqueTokens.hash(token);
            return store.read(tx -> {
                Optional<IssuedToken> found = new TokenRows(tx).byHash(hash);
                if (found.isEmpty() || !found.get().isActiveAt(now) || !mayAccess(caller, found.get().agentId().value())) {
                    return inactive;
                }
                IssuedToken issued = found.get();
                if (new AgentRows(tx).find(issued.agentId()).filter(Agent::isActive).isEmpty()) {
                    return inactive;
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("active", true);
                body.put("token_type", "Bearer");
                body.put("client_id", issued.agentId().value());
                body.put("sub", issued.agentId().value());
                body.put("iss", issuer);
                body.put("jti", issued.jti());
                body.put("iat", issued.issuedAt().getEpochSecond());
                body.put("exp", issued.expiresAt().getEpochSecond());
                return body;
            });
        }
        return verifiedClaims(token).compose(verified -> {
            if (verified.isEmpty() || !mayAccess(caller, verified.get().subject().value())) {
                return Future.succeededFuture(inactive);
            }
            return taskTokenStatus(verified.get(), now, inactive);
        });
    }

    private Future<Map<String, Object>> taskTokenStatus(TaskClaims claims, Instant now, Map<String, Object> inactive) {
        return store.read(tx -> {
            Optional<IssuedToken> issued = new TokenRows(tx).byJti(claims.jwtId());
            Optional<Task> task = new TaskRows(tx).find(claims.subject(), claims.taskId());
            Optional<Agent> agent = new AgentRows(tx).find(claims.subject());
            if (issued.isEmpty() || !issued.get().isActiveAt(now) || task.isEmpty() || !task.get().isActiveAt(now)
                    || agent.isEmpty() || !agent.get().isActive()) {
                return inactive;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("active", true);
            body.put("token_type", "stint+jwt");
            body.put("client_id", claims.subject().value());
            body.put("sub", claims.subject().value());
            body.put("iss", claims.issuer());
            body.put("aud", claims.audience());
            body.put("jti", claims.jwtId());
            body.put("iat", claims.issuedAt().getEpochSecond());
            body.put("nbf", claims.notBefore().getEpochSecond());
            body.put("exp", claims.expiresAt().getEpochSecond());
            body.put("scope", Scope.join(claims.scopes()));
            body.put("task_id", claims.taskId().value());
            body.put("tier", claims.tier().name());
            body.put("deadline", claims.deadline().at().getEpochSecond());
            body.put("owner", claims.owner());
            return body;
        });
    }

    private static boolean mayAccess(Caller caller, String agentId) {
        return caller instanceof Caller.Admin
                || caller instanceof Caller.AgentCaller agent && agent.agent().id().value().equals(agentId);
    }

    /** Introspection and revocation callers: a bearer (admin or agent token) or a client assertion. */
    private Future<Caller> caller(RoutingContext ctx, MultiMap form) {
        if (ctx.request().getHeader("Authorization") != null) {
            return bearer.any(ctx);
        }
        if (form.get("client_assertion") == null) {
            return Future.failedFuture(OAuthRejectedException.invalidClient(
                    "authenticate with private_key_jwt (client_assertion) or an Authorization: Bearer token"));
        }
        return withClientAssertion(form, (tx, agent) -> new Caller.AgentCaller(agent, null));
    }

    /** Authenticates the request's client assertion and does {@code work} in the unit that spends it. */
    private <T> Future<T> withClientAssertion(MultiMap form, ClientAuthentication.Work<T> work) {
        return clients.authenticate(form.get("client_assertion_type"), form.get("client_assertion"),
                form.get("client_id"), work);
    }

    /** The form of introspection and revocation, with its {@code token}; {@code null} once failed. */
    private static MultiMap tokenForm(RoutingContext ctx) {
        try {
            MultiMap form = form(ctx);
            requireToken(form);
            return form;
        } catch (RejectedException e) {
            ctx.fail(e);
            return null;
        }
    }

    private static void requireToken(MultiMap form) throws RejectedException {
        String token = form.get("token");
        if (token == null || token.isEmpty()) {
            throw OAuthRejectedException.invalidRequest("token is required");
        }
        if (token.length() > DefaultTaskTokenVerifier.MAX_TOKEN_LENGTH) {
            throw OAuthRejectedException.invalidRequest("token is longer than "
                    + DefaultTaskTokenVerifier.MAX_TOKEN_LENGTH + " characters");
        }
    }

    /**
     * The url-encoded form, with each parameter at most once (RFC 6749, section 3.2).
     *
     * @throws RejectedException 415 when the body is not declared {@code application/x-www-form-urlencoded},
     *     400 when a parameter repeats
     */
    private static MultiMap form(RoutingContext ctx) throws RejectedException {
        if (!MediaTypes.is(ctx.request().getHeader("Content-Type"), MediaTypes.FORM)) {
            throw OAuthRejectedException.unsupportedMediaType("send parameters as application/x-www-form-urlencoded");
        }
        MultiMap form = ctx.request().formAttributes();
        for (String name : form.names()) {
            if (form.getAll(name).size() > 1) {
                throw OAuthRejectedException.invalidRequest("parameter " + (name.length() <= 40 ? name : "(long name)")
                        + " appears more than once");
            }
        }
        return form;
    }
}
