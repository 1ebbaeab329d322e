package dev.stint.broker;

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
 * first server bound the port) requests get 503.
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
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(16 * 1024)
                        .setCompressionSupported(false)
                        // Form values are bounded by the body limit; the broker's own checks then
                        // answer an over-long assertion or token with a clear 4xx.
                        .setMaxFormAttributeSize(BrokerOptions.MAX_BODY_BYTES))
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
