package dev.stint.broker;

import dev.stint.broker.http.Problems;
import dev.stint.broker.http.RequestLimits;
import io.vertx.core.buffer.Buffer;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One HTTP server on one event loop. The broker deploys one per core on the same port (Vert.x
 * spreads connections over them), so parsing, routing and signing use every core. Each builds
 * its own router from the broker's shared parts; until the broker knows its issuer (after the
 * first server bound the port) requests get 503.
 *
 * <p>It speaks HTTP/1.1 only (no cleartext HTTP/2 upgrade), so that each connection is seen, and
 * counted against the cap, the moment it opens. A request head the codec cannot parse is answered
 * with a problem (400, 414 or 431) and the connection closed.
 */
final class HttpServerVerticle extends VerticleBase {

    /** The answer while the broker is still starting: a problem like every other refusal. */
    private static final Buffer STARTING = starting();

    private static Buffer starting() {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("type", ProblemType.UNAVAILABLE.uri());
        body.put("title", ProblemType.UNAVAILABLE.title());
        body.put("status", 503);
        body.put("detail", "the broker is starting; nothing was issued, retry in a second");
        return Json.write(body);
    }

    private final String host;
    private final int port;
    private final HttpLimits limits;
    private final ConnectionGuard.Cap cap;
    private final Supplier<Router> routers;
    private ConnectionGuard guard;
    private Router router;
    private HttpServer server;

    /**
     * @param cap the broker's count of open connections, shared by all its servers
     * @param routers builds this server's router; returns {@code null} while the broker is not ready
     */
    HttpServerVerticle(String host, int port, HttpLimits limits, ConnectionGuard.Cap cap, Supplier<Router> routers) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.cap = Objects.requireNonNull(cap, "cap");
        this.routers = Objects.requireNonNull(routers, "routers");
    }

    @Override
    public Future<?> start() {
        guard = new ConnectionGuard(vertx, context, limits.requestHeadTimeout(), cap);
        return vertx.createHttpServer(serverOptions(limits))
                .connectionHandler(guard::opened)
                .invalidRequestHandler(this::handleInvalid)
                .requestHandler(this::handle)
                .listen(port, host)
                .onSuccess(listening -> server = listening);
    }

    static HttpServerOptions serverOptions(HttpLimits limits) {
        return new HttpServerOptions()
                .setMaxInitialLineLength(RequestLimits.MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(RequestLimits.MAX_HEADER_BYTES)
                .setCompressionSupported(false)
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(Math.toIntExact(limits.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // Form values are bounded by the body limit; the broker's own checks then
                // answer an over-long assertion or token with a clear 4xx. A field may arrive
                // in many reads, so it may be buffered up to that size too.
                .setMaxFormAttributeSize(RequestLimits.MAX_BODY_BYTES)
                .setMaxFormBufferedBytes(RequestLimits.MAX_BODY_BYTES)
                .setMaxFormFields(RequestLimits.MAX_FORM_FIELDS);
    }

    private void handle(HttpServerRequest request) {
        long number = guard.headArrived(request);
        if (router == null) {
            router = routers.get();
            if (router != null) {
                guard.watchResponses(router);
            }
        }
        if (router == null) {
            request.response().setStatusCode(503)
                    .putHeader("Retry-After", "1")
                    .putHeader("Content-Type", "application/problem+json")
                    .putHeader("Cache-Control", "no-store")
                    .end(STARTING);
            guard.responded(request.connection(), number);
        } else {
            router.handle(request);
        }
    }

    private void handleInvalid(HttpServerRequest request) {
        guard.headArrived(request);
        Problems.invalidRequest(request);
    }

    int actualPort() {
        return server.actualPort();
    }
}
