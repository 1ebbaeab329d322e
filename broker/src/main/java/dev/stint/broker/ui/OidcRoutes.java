package dev.stint.broker.ui;

import dev.stint.broker.people.SignInMethod;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two pages of single sign-on: {@code GET /ui/sign-in/oidc} starts an attempt and sends the
 * browser to the provider (a link, not a form: a form's redirect to another origin would break
 * the pages' CSP {@code form-action 'self'}); {@code GET /ui/sign-in/oidc/callback} takes it back.
 * A refusal is a page with its 4xx status; a provider or store that does not answer is a 503
 * page, never a session. The query (code, state) is never logged.
 */
final class OidcRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(OidcRoutes.class);

    private final OidcSignIn signIn;
    private final Sessions sessions;

    OidcRoutes(OidcSignIn signIn, Sessions sessions) {
        this.signIn = Objects.requireNonNull(signIn, "signIn");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    void mount(Router router) {
        router.get("/ui/sign-in/oidc").handler(this::start);
        router.get("/ui/sign-in/oidc/callback").handler(this::callback);
    }

    private void start(RoutingContext ctx) {
        String browser = OidcAttempts.random();
        // Where to go back to, when it is one of the pages (a request to re-approve, say); else home.
        String next = ctx.request().getParam("next");
        signIn.start(browser).onSuccess(location -> {
            ctx.response().addCookie(Cookies.lax(Cookies.SIGN_ON, browser, OidcAttempts.LIFE));
            if (Pages.isPagePath(next)) {
                ctx.response().addCookie(Cookies.lax(Cookies.SIGN_ON_NEXT, next, OidcAttempts.LIFE));
            }
            ctx.response().setStatusCode(302).putHeader("Location", location).end();
        }).onFailure(failure -> failed(ctx, failure));
    }

    private void callback(RoutingContext ctx) {
        var params = ctx.request().params();
        String browser = Csrf.cookie(ctx, Cookies.SIGN_ON);
        String next = Csrf.cookie(ctx, Cookies.SIGN_ON_NEXT);
        ctx.response().addCookie(Cookies.cleared(Cookies.SIGN_ON));
        if (next != null) {
            ctx.response().addCookie(Cookies.cleared(Cookies.SIGN_ON_NEXT));
        }
        signIn.finish(params.get("state"), browser, params.get("code"), params.get("error"),
                sessions.opener(SignInMethod.OIDC))
                .onSuccess(secret -> ctx.response()
                        // A new secret at every sign-in: a session id planted before it is worth nothing.
                        .addCookie(Cookies.of(Cookies.SESSION, secret, null))
                        .putHeader("Content-Type", "text/html; charset=utf-8")
                        .putHeader("Cache-Control", "no-store")
                        .end(Pages.signedIn(next)))
                .onFailure(failure -> failed(ctx, failure));
    }

    private static void failed(RoutingContext ctx, Throwable failure) {
        int status;
        String title;
        String why;
        if (failure instanceof RejectedException rejected) {
            status = rejected.status();
            title = "Sign-in refused";
            why = rejected.reason();
        } else {
            status = 503;
            title = "Sign-in unavailable";
            why = failure instanceof UnavailableException unavailable && unavailable.reason().startsWith("too many")
                    ? unavailable.reason()
                    : "single sign-on is unavailable right now; try again in a few minutes, or sign in with a passkey";
            if (!(failure instanceof UnavailableException)) {
                LOG.warn("single sign-on failed: {}", failure.getClass().getName());
            }
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(Pages.signInFailed(title, why));
    }
}
