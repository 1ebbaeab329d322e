package dev.stint.broker.policy;

import dev.stint.token.AgentId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of the policy's {@code federation} list: a CI job whose OIDC token comes from
 * {@code issuer}, for {@code audience}, with every listed claim matching, may act as {@code agent}.
 *
 * <pre>
 * federation:
 *   - issuer: https://token.actions.githubusercontent.com
 *     audience: https://stint.example.com
 *     agent: ci-migrations
 *     claims:
 *       repository_id: "892734"
 *       ref: refs/heads/main
 *       event_name: [push, workflow_dispatch]
 * </pre>
 *
 * @param where how the audit log and errors name the rule: {@code federation[0] (line 12)}
 */
public record FederationRule(String issuer, String audience, AgentId agent, Map<String, ClaimMatch> claims,
        String where) {

    /**
     * Claims that name a repository, project or owner by a number that is never reused; names are
     * recycled after a rename or deletion, so every rule must pin at least one of these exactly.
     */
    public static final Set<String> STABLE_ID_CLAIMS = Set.of(
            "repository_id", "repository_owner_id", "project_id", "namespace_id");

    /**
     * Events whose tokens may run code from outside the repository (a fork's pull request, or the
     * base repository's secrets with a fork's code under {@code pull_request_target}). A token from
     * one matches only a rule that names that very event.
     */
    static final String GITHUB_EVENT = "event_name";
    static final String GITLAB_SOURCE = "pipeline_source";

    public FederationRule {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(agent, "agent");
        claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        Objects.requireNonNull(where, "where");
    }

    /**
     * Whether a verified token with these claims (its {@code iss} and {@code aud} already checked
     * against this rule) matches: every listed claim matches, and a pull or merge request event is
     * let in only when the rule names it.
     */
    public boolean matchesClaims(Map<String, Object> tokenClaims) {
        for (Map.Entry<String, ClaimMatch> claim : claims.entrySet()) {
            if (!claim.getValue().matches(tokenClaims.get(claim.getKey()))) {
                return false;
            }
        }
        return !untrustedEvent(tokenClaims, GITHUB_EVENT) && !untrustedEvent(tokenClaims, GITLAB_SOURCE);
    }

    /** A request-from-a-branch event in {@code claimName} that this rule does not name exactly. */
    private boolean untrustedEvent(Map<String, Object> tokenClaims, String claimName) {
        Object value = tokenClaims.get(claimName);
        if (value == null) {
            return false;
        }
        if (!(value instanceof String event)) {
            return true; // an event claim of the wrong type is not trusted
        }
        boolean requestEvent = claimName.equals(GITHUB_EVENT)
                ? event.startsWith("pull_request")
                : event.equals("merge_request_event") || event.equals("external_pull_request_event");
        ClaimMatch named = claims.get(claimName);
        return requestEvent && (named == null || !named.names(event));
    }

    /** Whether the token's audience (a string, or a list of strings) includes this rule's. */
    public boolean audienceMatches(Object aud) {
        if (aud instanceof String single) {
            return single.equals(audience);
        }
        return aud instanceof java.util.List<?> list && list.contains(audience);
    }
}
