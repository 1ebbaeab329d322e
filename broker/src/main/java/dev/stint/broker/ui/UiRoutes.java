package dev.stint.broker.ui;

import dev.stint.broker.people.SignInMethod;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.deployment.OidcSignInSettings;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.people.PasskeyCeremonies;
import dev.stint.broker.people.PersonAuthenticator;
import dev.stint.broker.people.SignedInPerson;
import dev.stint.broker.people.RelyingParty;
import dev.stint.broker.people.WebAuthnAnswers;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.OpaqueTokens;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The people's pages under {@code /ui/}: sign-in with a passkey, the signed-in page, passkey
 * enrollment from a one-time link, and their static script and style. Every POST carries the
 * browser's CSRF token; every page forbids inline script (CSP {@code script-src 'self'}). On a
 * loopback issuer the pages live at {@code http://localhost:PORT}, and are redirected there when
 * reached at another loopback name (passkeys do not work on an IP address).
 */
public final class UiRoutes {

    private final RelyingParty rp;
    private final PasskeyCeremonies ceremonies;
    private final Store store;
    private final Sessions sessions;
    private final Csrf csrf;
    private OidcSignIn oidc;
    private final Clock clock;
    private final StaticFiles shared = StaticFiles.load(Pages.SHARED_SCRIPT, "text/javascript; charset=utf-8");
    private final StaticFiles script = StaticFiles.load("webauthn.js", "text/javascript; charset=utf-8");
    private final StaticFiles style = StaticFiles.load("ui.css", "text/css; charset=utf-8");
    private final StaticFiles approvalScript = StaticFiles.load(ApprovalPages.SCRIPT,
            "text/javascript; charset=utf-8");

    /** @param idle how long a session lives without a request */
    public UiRoutes(Store store, RelyingParty rp, PasskeyCeremonies ceremonies, Duration idle, Clock clock) {
        this.rp = Objects.requireNonNull(rp, "rp");
        this.ceremonies = Objects.requireNonNull(ceremonies, "ceremonies");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sessions = new Sessions(store, idle, clock);
        this.csrf = new Csrf(rp.origin());
    }

    public UiRoutes(Store store, RelyingParty rp, PasskeyCeremonies ceremonies, Clock clock) {
        this(store, rp, ceremonies, Sessions.DEFAULT_IDLE, clock);
    }

    /** Offers single sign-on too, through the provider {@code settings} name. Call before {@link #mount}. */
    public UiRoutes withSingleSignOn(Vertx vertx, OidcSignInSettings settings, AuditLog audit, Duration timeout) {
        this.oidc = new OidcSignIn(new OidcProvider(vertx, settings, clock, timeout), store, audit, rp.origin(), clock);
        return this;
    }

    /**
     * The person of a request's session, for the API people use from these pages
     * ({@code /v1/approvals}): state-changing requests must carry this browser's CSRF token.
     */
    public PersonAuthenticator people() {
        return ctx -> {
            HttpMethod method = ctx.request().method();
            if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
                try {
                    csrf.check(ctx);
                } catch (RejectedException e) {
                    return Future.failedFuture(e);
                }
            }
            return sessions.current(Csrf.cookie(ctx, Cookies.SESSION)).map(live -> live.map(signedIn ->
                    new SignedInPerson(signedIn.person(), signedIn.method(), signedIn.signedInAt())));
        };
    }

    public void mount(Router router) {
        router.routeWithRegex("^/ui(/.*)?$").handler(this::pageRules);
        // One route for both: Vert.x matches "/ui" and "/ui/" alike.
        router.get("/ui/").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                home(ctx);
            } else {
                ctx.response().setStatusCode(302).putHeader("Location", "/ui/").end();
            }
        });
        router.get("/ui/enroll").handler(this::enrollPage);
        router.get("/ui/static/" + Pages.SHARED_SCRIPT).handler(shared::serve);
        router.get("/ui/static/webauthn.js").handler(script::serve);
        router.get("/ui/static/ui.css").handler(style::serve);
        router.post("/ui/enroll/options").handler(guarded(this::enrollOptions));
        router.post("/ui/enroll/finish").handler(guarded(this::enrollFinish));
        router.post("/ui/sign-in/options").handler(guarded(this::signInOptions));
        router.post("/ui/sign-in/finish").handler(guarded(this::signInFinish));
        router.post("/ui/sign-out").handler(guarded(this::signOut));
        router.get("/ui/static/" + ApprovalPages.SCRIPT).handler(approvalScript::serve);
        new ApprovalPageRoutes(store, sessions, oidc != null, clock).mount(router);
        if (oidc != null) {
            new OidcRoutes(oidc, sessions).mount(router);
        }
    }

    /** Headers of every page, and the move to the pages' one origin. */
    private void pageRules(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Security-Policy", Pages.CONTENT_SECURITY_POLICY)
                .putHeader("X-Frame-Options", "DENY")
                // Not no-referrer: that makes browsers send "Origin: null" with a form's POST.
                .putHeader("Referrer-Policy", "same-origin")
                .putHeader("Cross-Origin-Opener-Policy", "same-origin");
        HostAndPort authority = ctx.request().authority();
        if (!rp.loopback() || authority == null || authority.host().equalsIgnoreCase(rp.id())) {
            ctx.next();
        } else if (ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD) {
            // Only to the configured origin, never to a host the request named.
            String uri = ctx.request().uri();
            ctx.response().setStatusCode(302)
                    .putHeader("Location", rp.origin() + (uri.startsWith("/") && !uri.startsWith("//") ? uri : "/ui/"))
                    .end();
        } else {
            ctx.fail(RejectedException.forbidden("the pages work at " + rp.origin() + " only: passkeys are refused"
                    + " on an IP address"));
        }
    }

    private void home(RoutingContext ctx) {
        sessions.current(Csrf.cookie(ctx, Cookies.SESSION)).onSuccess(live -> {
            if (live.isPresent()) {
                html(ctx, Pages.home(live.get().person(), Csrf.tokenFor(live.get().secret())));
            } else {
                if (Csrf.cookie(ctx, Cookies.SESSION) != null) {
                    ctx.response().addCookie(Cookies.cleared(Cookies.SESSION));
                }
                html(ctx, Pages.signIn(Csrf.tokenFor(browser(ctx)), oidc != null));
            }
        }).onFailure(ctx::fail);
    }

    private void enrollPage(RoutingContext ctx) {
        html(ctx, Pages.enroll(Csrf.tokenFor(browser(ctx))));
    }

    private void enrollOptions(RoutingContext ctx) {
        Attempt.of(() -> Json.body(ctx, WebAuthnAnswers.EnrollmentStart.class))
                .compose(ceremonies::startEnrollment)
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void enrollFinish(RoutingContext ctx) {
        Attempt.of(() -> Json.body(ctx, WebAuthnAnswers.EnrollmentFinish.class))
                .compose(ceremonies::finishEnrollment)
                .onSuccess(person -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("enrolled", true);
                    body.put("person_id", person.id());
                    body.put("location", "/ui/");
                    json(ctx, 201, body);
                })
                .onFailure(ctx::fail);
    }

    private void signInOptions(RoutingContext ctx) {
        ceremonies.startSignIn().onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void signInFinish(RoutingContext ctx) {
        Attempt.of(() -> Json.body(ctx, WebAuthnAnswers.SignInFinish.class))
                .compose(body -> ceremonies.finishSignIn(body, sessions.opener(SignInMethod.PASSKEY)))
                .onSuccess(secret -> {
                    // A new secret at every sign-in: a session id planted before it is worth nothing.
                    ctx.response().addCookie(Cookies.of(Cookies.SESSION, secret, null));
                    json(ctx, 200, Map.of("signed_in", true, "location", "/ui/"));
                })
                .onFailure(ctx::fail);
    }

    private void signOut(RoutingContext ctx) {
        sessions.current(Csrf.cookie(ctx, Cookies.SESSION))
                .compose(live -> live.isPresent() ? sessions.end(live.get()) : Future.<Void>succeededFuture())
                .onSuccess(v -> ctx.response().addCookie(Cookies.cleared(Cookies.SESSION))
                        .setStatusCode(303).putHeader("Location", "/ui/").end())
                .onFailure(ctx::fail);
    }

    /** Runs {@code handler} only for a request that carries this browser's CSRF token. */
    private Handler<RoutingContext> guarded(Handler<RoutingContext> handler) {
        return ctx -> {
            try {
                csrf.check(ctx);
            } catch (RejectedException e) {
                ctx.fail(e);
                return;
            }
            handler.handle(ctx);
        };
    }

    /** This browser's own random value (set now if it has none): what its CSRF token comes from. */
    static String browser(RoutingContext ctx) {
        String value = Csrf.cookie(ctx, Cookies.BROWSER);
        if (value == null) {
            value = OpaqueTokens.generate("stint_b_");
            ctx.response().addCookie(Cookies.of(Cookies.BROWSER, value, Cookies.BROWSER_LIFE));
        }
        return value;
    }

    private static void html(RoutingContext ctx, String page) {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page);
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.write(body));
    }
}
