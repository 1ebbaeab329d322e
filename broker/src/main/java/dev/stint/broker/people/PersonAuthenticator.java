package dev.stint.broker.people;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Who, among people, sent a request: the person of the browser session its cookie names. The
 * pages own the sessions and implement this; features that act for people (approvals) take it,
 * so they need not know how sessions work.
 */
@FunctionalInterface
public interface PersonAuthenticator {

    /**
     * The person signed in on {@code ctx}. A request that changes state (any method but GET and
     * HEAD) must also carry the browser's CSRF token, or it fails with a 403 {@code csrf-rejected}.
     *
     * @return empty when no live session is named (no cookie, ended, idle, or its person disabled)
     */
    Future<Optional<SignedInPerson>> signedIn(RoutingContext ctx);
}
