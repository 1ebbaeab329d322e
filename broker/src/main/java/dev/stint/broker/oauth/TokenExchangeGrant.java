package dev.stint.broker.oauth;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.Map;

/**
 * The token endpoint's {@code urn:ietf:params:oauth:grant-type:token-exchange} grant (RFC 8693):
 * the form in, the JSON answer out, or a failure the endpoint renders (an
 * {@link dev.stint.broker.http.OAuthRejectedException} as an OAuth error, an
 * {@link dev.stint.broker.http.UnavailableException} as 503).
 */
@FunctionalInterface
public interface TokenExchangeGrant {

    /** Refuses every exchange: for a broker that federates no one. */
    TokenExchangeGrant NONE = form -> Future.failedFuture(new dev.stint.broker.http.OAuthRejectedException(400,
            "unsupported_grant_type", "this broker does not exchange tokens"));

    /** @param form the request's parameters, each present at most once */
    Future<Map<String, Object>> exchange(MultiMap form);
}
