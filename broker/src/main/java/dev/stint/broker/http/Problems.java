package dev.stint.broker.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
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
 *
 * <p>A request the HTTP codec or the body reader could not take (a malformed head, a form that
 * does not decode, a client that hung up mid-body) is the client's fault: it is answered 4xx and
 * logged at debug level only, never as an error with a stack trace.
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
            send(ctx.request(), rejected.status(), rejected.type(), rejected.reason(), oauthError);
        } else if (failure instanceof UnavailableException unavailable) {
            LOG.warn("{} {} unavailable: {}", ctx.request().method(), ctx.request().path(), unavailable.reason());
            response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
            send(ctx.request(), 503, ProblemType.UNAVAILABLE,
                    unavailable.reason() + "; nothing was issued, retry later", "temporarily_unavailable");
        } else if (failure instanceof io.vertx.ext.web.handler.HttpException http) {
            handleStatus(ctx, http.getStatusCode());
        } else if (failure instanceof HttpClosedException) {
            // The client hung up before its request was read: nobody is left to answer.
            LOG.debug("{} {}: the client closed the connection mid-request", ctx.request().method(),
                    ctx.request().path());
        } else if (failure != null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            clientFault(ctx, failure);
        } else if (failure != null) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            send(ctx.request(), 500, ProblemType.INTERNAL,
                    "the broker failed to handle this request; nothing was issued", "server_error");
        } else {
            handleStatus(ctx, ctx.statusCode());
        }
    }

    /** For the router's 400 error handler: a request target the router could not match at all. */
    public static void badRequest(RoutingContext ctx) {
        send(ctx.request(), 400, ProblemType.INVALID_REQUEST, "the request is malformed", "invalid_request");
    }

    /**
     * For the HTTP server's invalid-request handler: the codec could not parse the request head.
     * Answers 414, 431 or 400, then closes the connection (the rest of its bytes cannot be trusted).
     */
    public static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        LOG.debug("refused a malformed request head: {}", cause == null ? "?" : cause.getClass().getSimpleName());
        request.response().putHeader("Connection", "close");
        if (cause instanceof TooLongHttpLineException) {
            send(request, 414, ProblemType.URI_TOO_LONG,
                    "the request line is longer than " + RequestLimits.MAX_REQUEST_LINE_BYTES + " bytes",
                    "invalid_request");
        } else if (cause instanceof TooLongHttpHeaderException) {
            send(request, 431, ProblemType.HEADERS_TOO_LARGE,
                    "the request headers are larger than " + RequestLimits.MAX_HEADER_BYTES + " bytes",
                    "invalid_request");
        } else {
            send(request, 400, ProblemType.INVALID_REQUEST, "the request line or headers are not valid HTTP/1.1",
                    "invalid_request");
        }
        request.connection().close();
    }

    /** A 4xx that the router or the body reader decided, with the exception that made it: say what, not how. */
    private static void clientFault(RoutingContext ctx, Throwable failure) {
        HttpServerRequest request = ctx.request();
        LOG.debug("{} {} refused: {}", request.method(), request.path(), failure.getClass().getSimpleName());
        if (failure instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
            send(request, 400, ProblemType.INVALID_REQUEST,
                    "the form has more than " + RequestLimits.MAX_FORM_FIELDS + " fields", "invalid_request");
        } else if (failure instanceof HttpPostRequestDecoder.TooLongFormFieldException) {
            handleStatus(ctx, 413);
        } else if (request.isExpectMultipart() && isMultipart(request.getHeader("Content-Type"))) {
            send(request, 415, ProblemType.UNSUPPORTED_MEDIA_TYPE, "multipart/form-data bodies are not accepted",
                    "invalid_request");
        } else if (request.isExpectMultipart()) {
            send(request, 400, ProblemType.INVALID_REQUEST, "the form body is not valid application/"
                    + "x-www-form-urlencoded; each '%' must be followed by two hex digits", "invalid_request");
        } else if (request.version() != HttpVersion.HTTP_1_0 && request.authority() == null) {
            send(request, 400, ProblemType.INVALID_REQUEST, "the Host header is missing or malformed",
                    "invalid_request");
        } else {
            handleStatus(ctx, ctx.statusCode());
        }
    }

    private static boolean isMultipart(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "multipart/", 0, "multipart/".length());
    }

    private static void handleStatus(RoutingContext ctx, int status) {
        HttpServerRequest request = ctx.request();
        switch (status) {
            case 413 -> send(request, 413, ProblemType.PAYLOAD_TOO_LARGE,
                    "the request body is larger than " + RequestLimits.MAX_BODY_BYTES + " bytes", "invalid_request");
            case 404 -> send(request, 404, ProblemType.NOT_FOUND, "no such endpoint", "invalid_request");
            case 405 -> send(request, 405, ProblemType.METHOD_NOT_ALLOWED, Methods.NOT_ALLOWED, "invalid_request");
            case 400 -> send(request, 400, ProblemType.INVALID_REQUEST, "the request is malformed", "invalid_request");
            default -> send(request, status >= 400 && status < 600 ? status : 500,
                    status >= 500 || status < 400 ? ProblemType.INTERNAL : ProblemType.INVALID_REQUEST,
                    "the request could not be handled", "invalid_request");
        }
    }

    private static String defaultOAuthError(RejectedException rejected) {
        return rejected.status() == 401 ? "invalid_client" : "invalid_request";
    }

    private static void send(HttpServerRequest request, int status, ProblemType type, String detail,
            String oauthError) {
        boolean oauth = request.path() != null && request.path().startsWith("/oauth2/");
        Map<String, Object> body = new LinkedHashMap<>();
        if (oauth) {
            body.put("error", oauthError);
            body.put("error_description", detail);
        }
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", status);
        body.put("detail", detail);
        HttpServerResponse response = request.response();
        response.setStatusCode(status)
                .putHeader("Content-Type", oauth ? "application/json" : "application/problem+json")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff");
        if (status == 401 && !oauth) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"stint\"");
        }
        response.end(Json.write(body));
    }
}
