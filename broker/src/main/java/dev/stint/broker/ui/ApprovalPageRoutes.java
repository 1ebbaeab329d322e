package dev.stint.broker.ui;

import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.people.PasskeyRows;
import dev.stint.broker.store.Store;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The approval pages, for signed-in people only: {@code GET /ui/approvals?status=} lists
 * requests, {@code GET /ui/approvals/{id}} shows one with its buttons. They read the store
 * directly; deciding goes through the approvals API ({@code /v1/approvals}) from the page's
 * script. Anyone else gets the sign-in page, which comes back here once signed in.
 */
final class ApprovalPageRoutes {

    private static final Pattern ID = Pattern.compile("apr_[A-Za-z0-9_-]{1,64}");

    private final Store store;
    private final Sessions sessions;
    private final boolean singleSignOn;
    private final Clock clock;

    ApprovalPageRoutes(Store store, Sessions sessions, boolean singleSignOn, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.singleSignOn = singleSignOn;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void mount(Router router) {
        router.get("/ui/approvals").handler(this::list);
        router.get("/ui/approvals/:approval_id").handler(this::request);
    }

    private void list(RoutingContext ctx) {
        signedIn(ctx, "/ui/approvals", (who, csrf) -> {
            List<String> values = ctx.queryParam("status");
            ApprovalStatus status = values.size() > 1 ? null : values.isEmpty() ? ApprovalStatus.PENDING
                    : statusNamed(values.get(0));
            if (status == null) {
                html(ctx, 400, ApprovalPages.badStatus(who.person(), csrf));
                return;
            }
            Instant now = clock.instant();
            store.read(tx -> ApprovalCase.withStatus(tx, status, now))
                    .onSuccess(cases -> html(ctx, 200, ApprovalPages.list(who.person(), csrf, status, cases, now)))
                    .onFailure(ctx::fail);
        });
    }

    private void request(RoutingContext ctx) {
        String id = ctx.pathParam("approval_id");
        boolean wellFormed = id != null && ID.matcher(id).matches();
        signedIn(ctx, wellFormed ? "/ui/approvals/" + id : "/ui/approvals", (who, csrf) -> {
            if (!wellFormed) {
                html(ctx, 404, ApprovalPages.notFound(who.person(), csrf));
                return;
            }
            Instant now = clock.instant();
            record Found(ApprovalCase request, int passkeys) {
            }
            store.read(tx -> {
                Optional<ApprovalCase> request = ApprovalCase.find(tx, id, now);
                return request.isEmpty() ? Optional.<Found>empty()
                        : Optional.of(new Found(request.get(), new PasskeyRows(tx).of(who.person().id()).size()));
            }).onSuccess(found -> {
                if (found.isEmpty()) {
                    html(ctx, 404, ApprovalPages.notFound(who.person(), csrf));
                    return;
                }
                Standing standing = Standing.of(who.person(), who.method(), found.get().passkeys(),
                        found.get().request());
                html(ctx, 200, ApprovalPages.request(who.person(), csrf, found.get().request(), standing, now));
            }).onFailure(ctx::fail);
        });
    }

    /**
     * Runs {@code page} with the signed-in person and their CSRF token; anyone else gets the
     * sign-in page (401), which goes on to {@code next} once signed in.
     */
    private void signedIn(RoutingContext ctx, String next, BiConsumer<Sessions.SignedIn, String> page) {
        String cookie = Csrf.cookie(ctx, Cookies.SESSION);
        sessions.current(cookie).onSuccess(live -> {
            if (live.isPresent()) {
                page.accept(live.get(), Csrf.tokenFor(live.get().secret()));
                return;
            }
            String notice = "Sign in to see approval requests.";
            if (cookie != null) {
                ctx.response().addCookie(Cookies.cleared(Cookies.SESSION));
                notice = "Your session has ended. Sign in again to see approval requests.";
            }
            html(ctx, 401, Pages.signIn(Csrf.tokenFor(UiRoutes.browser(ctx)), singleSignOn, notice, next));
        }).onFailure(ctx::fail);
    }

    private static ApprovalStatus statusNamed(String name) {
        for (ApprovalStatus status : ApprovalStatus.values()) {
            if (status.wireName().equals(name)) {
                return status;
            }
        }
        return null;
    }

    private static void html(RoutingContext ctx, int status, String page) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(page);
    }
}
