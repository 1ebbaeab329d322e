package dev.stint.broker.approvals;

import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.people.PersonAuthenticator;
import dev.stint.broker.people.SignedInPerson;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The approvals API. People (a signed-in session; state changes carry its CSRF token) read and
 * decide; the admin credential may read but never approve, deny or start an approval.
 * <ul>
 * <li>{@code GET /v1/approvals?status=pending|approved|denied|expired} (newest first)
 * <li>{@code GET /v1/approvals/{id}}, with every verdict and its evidence
 * <li>{@code POST /v1/approvals/{id}/options}: the passkey challenge bound to the request
 * <li>{@code POST /v1/approvals/{id}/approve}, {@code POST /v1/approvals/{id}/deny}
 * </ul>
 */
public final class ApprovalRoutes {

    static final Pattern ID = Pattern.compile("apr_[A-Za-z0-9_-]{1,64}");
    static final int LIST_LIMIT = 200;

    private final Store store;
    private final Gate admin;
    private final PersonAuthenticator people;
    private final ApprovalDecisions decisions;
    private final Clock clock;

    public ApprovalRoutes(Store store, Gate admin, PersonAuthenticator people, ApprovalDecisions decisions,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.people = Objects.requireNonNull(people, "people");
        this.decisions = Objects.requireNonNull(decisions, "decisions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void mount(Router router) {
        router.get("/v1/approvals").handler(this::list);
        router.get("/v1/approvals/:approval_id").handler(this::get);
        router.post("/v1/approvals/:approval_id/options").handler(ctx -> person(ctx)
                .compose(who -> approvalId(ctx).compose(id -> decisions.options(who, id)))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail));
        router.post("/v1/approvals/:approval_id/approve").handler(ctx -> person(ctx)
                .compose(who -> approvalId(ctx).compose(id -> Attempt.of(() -> Json.optionalBody(ctx,
                                ApprovalAnswers.Approve.class, new ApprovalAnswers.Approve(null, null, null)))
                        .compose(body -> decisions.approve(who, id, body))))
                .compose(this::view)
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail));
        router.post("/v1/approvals/:approval_id/deny").handler(ctx -> person(ctx)
                .compose(who -> approvalId(ctx).compose(id -> Attempt.of(() -> Json.optionalBody(ctx,
                                ApprovalAnswers.Deny.class, new ApprovalAnswers.Deny(null)))
                        .compose(body -> decisions.deny(who, id, body))))
                .compose(this::view)
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail));
    }

    private void list(RoutingContext ctx) {
        reader(ctx).compose(reader -> status(ctx)).compose(status -> store.read(tx -> {
            List<Map<String, Object>> approvals = new ArrayList<>();
            for (Approval approval : new ApprovalRows(tx).withStatus(status, LIST_LIMIT)) {
                approvals.add(ApprovalView.of(approval, null, clock.instant()));
            }
            return Map.<String, Object>of("approvals", approvals);
        })).onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        reader(ctx).compose(reader -> approvalId(ctx)).compose(id -> store.read(tx -> {
            Approval approval = new ApprovalRows(tx).find(id).orElseThrow(() -> notFound(id));
            return ApprovalView.of(approval, ApprovalView.votes(tx, id), clock.instant());
        })).onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private Future<Map<String, Object>> view(Approval approval) {
        return store.read(tx -> ApprovalView.of(approval, ApprovalView.votes(tx, approval.approvalId()),
                clock.instant()));
    }

    /** A signed-in person; the admin credential is refused here, whatever it is worth elsewhere. */
    private Future<SignedInPerson> person(RoutingContext ctx) {
        return people.signedIn(ctx).compose(who -> who.map(Future::succeededFuture).orElseGet(() -> {
            if (ctx.request().getHeader("Authorization") != null) {
                return Future.failedFuture(RejectedException.forbidden("approvals are given by people signed in"
                        + " with a passkey or single sign-on; a token, even the admin's, may read them but never"
                        + " approve or deny"));
            }
            return Future.failedFuture(RejectedException.unauthorized("sign in at /ui/ to approve or deny"));
        }));
    }

    /** A signed-in person, or the admin credential: who may read requests. */
    private Future<String> reader(RoutingContext ctx) {
        if (ctx.request().getHeader("Authorization") != null) {
            return admin.admit(ctx);
        }
        return people.signedIn(ctx).compose(who -> who.isPresent()
                ? Future.succeededFuture(who.get().person().actor())
                : Future.failedFuture(RejectedException.unauthorized("sign in at /ui/, or send the admin credential,"
                        + " to read approval requests")));
    }

    private static Future<ApprovalStatus> status(RoutingContext ctx) {
        List<String> values = ctx.queryParam("status");
        if (values.size() > 1) {
            return Future.failedFuture(RejectedException.badRequest("status may be given once"));
        }
        String value = values.isEmpty() ? "pending" : values.get(0);
        for (ApprovalStatus status : ApprovalStatus.values()) {
            if (status.wireName().equals(value)) {
                return Future.succeededFuture(status);
            }
        }
        return Future.failedFuture(RejectedException.badRequest("status must be pending, approved, denied or"
                + " expired"));
    }

    private static Future<String> approvalId(RoutingContext ctx) {
        String id = ctx.pathParam("approval_id");
        return Optional.ofNullable(id).filter(v -> ID.matcher(v).matches()).map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(notFound(null)));
    }

    private static RejectedException notFound(String id) {
        return RejectedException.notFound(ProblemType.APPROVAL_NOT_FOUND, id == null
                ? "no approval request has that id" : "approval request " + id + " not found");
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.write(body));
    }
}
