package dev.stint.broker;

import dev.stint.broker.http.Problems;
import dev.stint.broker.http.RequestLimits;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One HTTP server on one event loop. The broker deploys one per core on the same port (Vert.x
 * spreads connections over them), so parsing, routing and signing use every core. Each builds
 * its own router from the broker's shared parts; until the broker knows its issuer (after the
 * first server bound the port) requests get 503. A request head the codec cannot parse is
 * answered with a problem (400, 414 or 431) and the connection closed.
 */
final class HttpServerVerticle extends VerticleBase {

    private final String host;
    private final int port;
    private final Supplier<Router> routers;
    private Router router;
    private HttpServer server;

    /** @param routers builds this server's router; returns {@code null} while the broker is not ready */
    HttpServerVerticle(String host, int port, Supplier<Router> routers) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.routers = Objects.requireNonNull(routers, "routers");
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(new HttpServerOptions()
                        .setMaxInitialLineLength(RequestLimits.MAX_REQUEST_LINE_BYTES)
                        .setMaxHeaderSize(RequestLimits.MAX_HEADER_BYTES)
                        .setCompressionSupported(false)
                        // Form values are bounded by the body limit; the broker's own checks then
                        // answer an over-long assertion or token with a clear 4xx. A field may arrive
                        // in many reads, so it may be buffered up to that size too.
                        .setMaxFormAttributeSize(RequestLimits.MAX_BODY_BYTES)
                        .setMaxFormBufferedBytes(RequestLimits.MAX_BODY_BYTES)
                        .setMaxFormFields(RequestLimits.MAX_FORM_FIELDS))
                .invalidRequestHandler(Problems::invalidRequest)
                .requestHandler(this::handle)
                .listen(port, host)
                .onSuccess(listening -> server = listening);
    }

    private void handle(HttpServerRequest request) {
        if (router == null) {
            router = routers.get();
        }
        if (router == null) {
            request.response().setStatusCode(503).putHeader("Retry-After", "1").end();
        } else {
            router.handle(request);
        }
    }

    int actualPort() {
        return server.actualPort();
    }
}
