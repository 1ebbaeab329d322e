package dev.stint.broker.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: renders rejections (4xx), unavailability (503 with Retry-After) and
 * bugs (500, logged with the cause, never shown) as RFC 9457 problem+json. OAuth endpoints answer
 * {@code application/json} with the RFC 6749 {@code error} and {@code error_description} beside
 * the problem fields, because that is what standard OAuth clients read.
 */
public final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String RETRY_AFTER_SECONDS = "5";

    private Problems() {
    }

    public static void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (failure instanceof RejectedException rejected) {
            String oauthError = rejected instanceof OAuthRejectedException o ? o.error() : defaultOAuthError(rejected);
            send(ctx, rejected.status(), rejected.type(), rejected.reason(), oauthError);
        } else if (failure instanceof UnavailableException unavailable) {
            LOG.warn("{} {} unavailable: {}", ctx.request().method(), ctx.request().path(), unavailable.reason());
            response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
            send(ctx, 503, ProblemType.UNAVAILABLE, unavailable.reason() + "; nothing was issued, retry later",
                    "temporarily_unavailable");
        } else if (failure instanceof io.vertx.ext.web.handler.HttpException http) {
            handleStatus(ctx, http.getStatusCode());
        } else if (failure != null) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            send(ctx, 500, ProblemType.INTERNAL, "the broker failed to handle this request; nothing was issued",
                    "server_error");
        } else {
            handleStatus(ctx, ctx.statusCode());
        }
    }

    private static void handleStatus(RoutingContext ctx, int status) {
        {
            switch (status) {
                case 413 -> send(ctx, 413, ProblemType.PAYLOAD_TOO_LARGE,
                        "the request body is larger than " + RequestLimits.MAX_BODY_BYTES + " bytes", "invalid_request");
                case 404 -> send(ctx, 404, ProblemType.NOT_FOUND, "no such endpoint", "invalid_request");
                case 405 -> send(ctx, 405, ProblemType.METHOD_NOT_ALLOWED, "this endpoint does not take that method",
                        "invalid_request");
                case 400 -> send(ctx, 400, ProblemType.INVALID_REQUEST, "the request is malformed", "invalid_request");
                default -> send(ctx, status >= 400 && status < 600 ? status : 500,
                        status >= 500 || status < 400 ? ProblemType.INTERNAL : ProblemType.INVALID_REQUEST,
                        "the request could not be handled", "invalid_request");
            }
        }
    }

    private static String defaultOAuthError(RejectedException rejected) {
        return rejected.status() == 401 ? "invalid_client" : "invalid_request";
    }

    private static void send(RoutingContext ctx, int status, ProblemType type, String detail, String oauthError) {
        boolean oauth = ctx.request().path() != null && ctx.request().path().startsWith("/oauth2/");
        Map<String, Object> body = new LinkedHashMap<>();
        if (oauth) {
            body.put("error", oauthError);
            body.put("error_description", detail);
        }
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", status);
        body.put("detail", detail);
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status)
                .putHeader("Content-Type", oauth ? "application/json" : "application/problem+json")
                .putHeader("Cache-Control", "no-store");
        if (status == 401 && !oauth) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"stint\"");
        }
        response.end(Json.write(body));
    }
}
