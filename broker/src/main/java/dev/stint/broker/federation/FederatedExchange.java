package dev.stint.broker.federation;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.audit.CiOrigin;
import dev.stint.broker.deployment.FederationSettings;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.FreeText;
import dev.stint.broker.http.OAuthRejectedException;
import dev.stint.broker.oauth.TokenExchangeGrant;
import dev.stint.broker.policy.FederationRule;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.NewAgentToken;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.token.AgentId;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * CI federation (RFC 8693): a CI job's OIDC token, as {@code subject_token}, becomes an agent
 * token for the agent the policy's federation rules map it to: the same opaque agent token
 * {@code client_credentials} gives, carrying the CI run it came from. The job authenticates with
 * the token alone (no client authentication), so every check is on the token: a rule trusting its
 * issuer, a genuine signature, its times, a rule's audience and claims, one agent, and first use.
 */
public final class FederatedExchange implements TokenExchangeGrant {

    public static final String JWT = "urn:ietf:params:oauth:token-type:jwt";
    public static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
    public static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";

    private final String issuer;
    private final Store store;
    private final AuditLog audit;
    private final Policy policy;
    private final FederationSettings settings;
    private final CiTokenVerifier verifier;
    private final Duration agentTokenTtl;
    private final Clock clock;

    /** @param issuer this broker's issuer: the only {@code audience} or {@code resource} it serves */
    public FederatedExchange(String issuer, Store store, AuditLog audit, Policy policy, CiIssuers issuers,
            FederationSettings settings, Duration agentTokenTtl, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.verifier = new CiTokenVerifier(issuers, clock);
        this.agentTokenTtl = Objects.requireNonNull(agentTokenTtl, "agentTokenTtl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Future<Map<String, Object>> exchange(MultiMap form) {
        String subjectToken = form.get("subject_token");
        return Attempt.of(() -> {
            ExchangeRequest.check(form, issuer);
            CiTokenVerifier.Parsed parsed = CiTokenVerifier.parse(subjectToken);
            List<FederationRule> rules = policy.document().federation().stream()
                    .filter(rule -> rule.issuer().equals(parsed.issuer())).toList();
            if (rules.isEmpty()) {
                throw CiTokenVerifier.grant("no federation rule trusts tokens from issuer "
                        + FreeText.printable(cut(parsed.issuer())));
            }
            if (!settings.allows(parsed.issuer())) {
                throw CiTokenVerifier.grant("issuer " + parsed.issuer() + " is plain http and the deployment file"
                        + " does not list it under federation.allow_http_issuers");
            }
            return new Pending(parsed, rules);
        })
                .compose(pending -> verifier.verify(pending.parsed())
                        .compose(claims -> Attempt.of(() -> new Matched(claims, ruleFor(pending.rules(), claims)))))
                .compose(matched -> issue(matched, subjectToken))
                // A token refused is counted like a refused client assertion; a malformed request is not.
                .recover(failure -> failure instanceof OAuthRejectedException rejected
                        && "invalid_grant".equals(rejected.error())
                        ? audit.countUnauthenticated(new AuditEvent("anonymous", "agent.authenticate",
                                AuditEvent.Decision.DENY, null, null, null, "", "token exchange refused: "
                                + rejected.reason()), rejected)
                        : Future.failedFuture(failure));
    }

    private record Pending(CiTokenVerifier.Parsed parsed, List<FederationRule> rules) {
    }

    private record Matched(JWTClaimsSet claims, FederationRule rule) {
    }

    /** The one rule (or several naming one agent) a verified token matches. */
    private static FederationRule ruleFor(List<FederationRule> rules, JWTClaimsSet claims)
            throws OAuthRejectedException {
        Object aud = claims.getClaim("aud");
        List<FederationRule> forAudience = rules.stream().filter(rule -> rule.audienceMatches(aud)).toList();
        if (forAudience.isEmpty()) {
            throw CiTokenVerifier.grant("subject_token's aud is not an audience any federation rule for its issuer"
                    + " accepts");
        }
        Map<String, Object> values = claims.getClaims();
        List<FederationRule> matching = forAudience.stream().filter(rule -> rule.matchesClaims(values)).toList();
        if (matching.isEmpty()) {
            throw CiTokenVerifier.grant("no federation rule matches this token (sub "
                    + FreeText.printable(cut(claims.getSubject())) + "); a pull or merge request event matches"
                    + " only a rule that names it");
        }
        Set<AgentId> agents = new java.util.TreeSet<>(java.util.Comparator.comparing(AgentId::value));
        matching.forEach(rule -> agents.add(rule.agent()));
        if (agents.size() > 1) {
            throw CiTokenVerifier.grant("this token matches federation rules for several agents ("
                    + String.join(", ", agents.stream().map(AgentId::value).toList())
                    + "); the security team must make the rules exclusive");
        }
        return matching.get(0);
    }

    private Future<Map<String, Object>> issue(Matched matched, String subjectToken) {
        JWTClaimsSet claims = matched.claims();
        FederationRule rule = matched.rule();
        CiOrigin origin = CiClaims.origin(claims);
        // The jti when the issuer sets one; otherwise the token itself, hashed, is what is spent.
        String tokenId = claims.getJWTID() != null && !claims.getJWTID().isEmpty()
                ? "jti:" + claims.getJWTID() : "sha256:" + OpaqueTokens.hash(subjectToken);
        Instant now = clock.instant();
        return store.write(tx -> {
            Agent agent = new AgentRows(tx).find(rule.agent()).orElseThrow(() -> CiTokenVerifier.grant(
                    rule.where() + " names agent " + rule.agent() + ", which is not registered"));
            if (!agent.isActive()) {
                throw CiTokenVerifier.grant("agent " + agent.id() + " is " + agent.status().wireName());
            }
            if (!new SubjectTokenRows(tx).spend(origin.issuer(), tokenId, claims.getExpirationTime().toInstant()
                    .plus(CiTokenVerifier.LEEWAY))) {
                throw CiTokenVerifier.grant("subject_token was already exchanged; a CI token is good for one"
                        + " agent token");
            }
            NewAgentToken token = NewAgentToken.issue(tx, agent.id(), issuer, now, agentTokenTtl, origin);
            new AuditRows(tx).append(new AuditEvent("agent:" + agent.id(), "agent.authenticate",
                    AuditEvent.Decision.ALLOW, agent.id().value(), null, null, "", "agent token " + token.jti()
                    + " issued by token exchange of a CI token from " + origin.issuer() + " (sub " + origin.subject()
                    + ") under " + rule.where() + ", expires " + token.expiresAt(), origin), now);
            return token;
        }).map(token -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("access_token", token.value());
            body.put("issued_token_type", ACCESS_TOKEN);
            body.put("token_type", "Bearer");
            body.put("expires_in", agentTokenTtl.toSeconds());
            return body;
        });
    }

    /** At most 200 characters of what a caller sent, for a message. */
    static String cut(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
