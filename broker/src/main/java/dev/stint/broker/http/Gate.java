package dev.stint.broker.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets a request through, or refuses it. Features whose endpoints need one kind of caller (the
 * admin) take a gate rather than the authenticator itself, so they need not depend on how
 * callers authenticate.
 */
@FunctionalInterface
public interface Gate {

    /**
     * @return the actor to record in audit records ({@code "admin"}); or a future failed with a
     *     {@link RejectedException} (401 or 403, already audited) or an {@link UnavailableException}
     */
    Future<String> admit(RoutingContext ctx);
}
