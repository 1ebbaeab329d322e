package dev.stint.broker.federation;

import dev.stint.broker.http.OAuthRejectedException;
import io.vertx.core.MultiMap;
import java.util.Set;

/** The checks of a token-exchange request's parameters (RFC 8693, section 2.1), before any token is read. */
final class ExchangeRequest {

    /** CI OIDC tokens are one or two kilobytes; a larger one is a mistake or an attack. */
    static final int MAX_SUBJECT_TOKEN = 16 * 1024;
    private static final Set<String> SUBJECT_TYPES = Set.of(FederatedExchange.JWT, FederatedExchange.ID_TOKEN);

    private ExchangeRequest() {
    }

    static void check(MultiMap form, String issuer) throws OAuthRejectedException {
        if (form.get("client_assertion") != null || form.get("client_assertion_type") != null
                || form.get("client_secret") != null) {
            throw invalidRequest("a token exchange is authenticated by its subject_token alone; send no client"
                    + " authentication");
        }
        if (form.get("actor_token") != null || form.get("actor_token_type") != null) {
            throw invalidRequest("delegation (actor_token) is not supported: the CI job acts as the agent itself");
        }
        String subjectToken = form.get("subject_token");
        if (subjectToken == null || subjectToken.isEmpty()) {
            throw invalidRequest("subject_token is required: the CI job's OIDC token");
        }
        if (subjectToken.length() > MAX_SUBJECT_TOKEN) {
            throw invalidRequest("subject_token is longer than " + MAX_SUBJECT_TOKEN + " characters");
        }
        String type = form.get("subject_token_type");
        if (type == null || type.isEmpty()) {
            throw invalidRequest("subject_token_type is required: " + FederatedExchange.JWT);
        }
        if (!SUBJECT_TYPES.contains(type)) {
            throw new OAuthRejectedException(400, "unsupported_token_type", "subject_token_type must be "
                    + FederatedExchange.JWT + " or " + FederatedExchange.ID_TOKEN);
        }
        String requested = form.get("requested_token_type");
        if (requested != null && !requested.equals(FederatedExchange.ACCESS_TOKEN)) {
            throw new OAuthRejectedException(400, "unsupported_token_type", "requested_token_type must be "
                    + FederatedExchange.ACCESS_TOKEN + " (an agent token), or left out");
        }
        for (String target : new String[] {"audience", "resource"}) {
            String value = form.get(target);
            if (value != null && !value.equals(issuer) && !value.equals(issuer + "/oauth2/token")) {
                throw new OAuthRejectedException(400, "invalid_target", target + " must be this broker ("
                        + issuer + ") or left out");
            }
        }
        if (form.get("scope") != null) {
            throw new OAuthRejectedException(400, "invalid_scope", "an agent token carries no scope; ask for"
                    + " scopes when opening a task");
        }
    }

    private static OAuthRejectedException invalidRequest(String reason) {
        return OAuthRejectedException.invalidRequest(reason);
    }
}
