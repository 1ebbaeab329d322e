package dev.stint.broker;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or numerous clients from holding one HTTP server: a connection beyond the broker's
 * cap is closed as soon as it is accepted, and a connection that has not sent a complete request
 * head within the deadline is closed. The deadline runs from the moment the connection opens and
 * again from the end of each response, so it also ends idle keep-alive connections; it pauses
 * while a request is being handled (the idle timeout bounds a stalled body).
 *
 * <p>Vert.x calls the request handler only once the head is parsed, so "head complete" is that
 * call. One guard per server, confined to that server's event loop; the {@link Cap} is shared by
 * every server of the broker.
 */
final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final Vertx vertx;
    private final Context context;
    private final long headTimeoutMs;
    private final Cap cap;
    private final Map<HttpConnection, Watch> watches = new HashMap<>();

    /**
     * @param context the server's context: every connection of the server runs on it
     */
    ConnectionGuard(Vertx vertx, Context context, Duration requestHeadTimeout, Cap cap) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.context = Objects.requireNonNull(context, "context");
        this.headTimeoutMs = Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout").toMillis();
        this.cap = Objects.requireNonNull(cap, "cap");
    }

    /** For the server's connection handler: admits the connection under the cap and starts its head deadline. */
    void opened(HttpConnection connection) {
        if (!cap.tryOpen()) {
            connection.close();
            return;
        }
        Watch watch = new Watch(connection);
        watches.put(connection, watch);
        connection.closeHandler(closed -> {
            watches.remove(connection);
            watch.disarm();
            cap.closed();
        });
        watch.arm();
    }

    /**
     * For the request handlers: a complete head arrived, so its deadline stops until the response ends.
     *
     * @return the request's number on its connection, for {@link #responded}; 0 for an unwatched connection
     */
    long headArrived(HttpServerRequest request) {
        Watch watch = watches.get(request.connection());
        if (watch == null) {
            return 0;
        }
        watch.disarm();
        return ++watch.requests;
    }

    /**
     * The response to request {@code number} ended: unless a later request has begun (pipelined),
     * the deadline for the next head starts.
     */
    void responded(HttpConnection connection, long number) {
        context.runOnContext(v -> {
            Watch watch = watches.get(connection);
            if (watch != null && watch.requests == number) {
                watch.arm();
            }
        });
    }

    /** Makes {@code router} report each response's end, whether it ends in a handler or in a failure. */
    void watchResponses(Router router) {
        router.route().order(-1).handler(this::onRequest).failureHandler(this::onRequest);
    }

    private void onRequest(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        Watch watch = watches.get(connection);
        if (watch != null) {
            long number = watch.requests;
            ctx.addEndHandler(ended -> responded(connection, number));
        }
        ctx.next();
    }

    /** One connection's head deadline and how many requests it has begun. */
    private final class Watch {
        private final HttpConnection connection;
        private long timer = -1;
        private long requests;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        void arm() {
            disarm();
            timer = vertx.setTimer(headTimeoutMs, id -> {
                timer = -1;
                LOG.debug("closing a connection from {}: no complete request head within {} ms",
                        connection.remoteAddress(), headTimeoutMs);
                connection.close();
            });
        }

        void disarm() {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }

    /** The broker's count of open connections against its cap. Thread-safe: every server shares one. */
    static final class Cap {

        private final int max;
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicBoolean refusing = new AtomicBoolean();

        Cap(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max must be at least 1");
            }
            this.max = max;
        }

        /** Counts one more open connection; {@code false} (and nothing counted) when the cap is reached. */
        boolean tryOpen() {
            int now;
            do {
                now = open.get();
                if (now >= max) {
                    if (refusing.compareAndSet(false, true)) {
                        LOG.warn("{} connections are open, the most this broker takes; closing new ones until"
                                + " some end", max);
                    }
                    return false;
                }
            } while (!open.compareAndSet(now, now + 1));
            return true;
        }

        /** One counted connection closed. Says so once the count has fallen a tenth below the cap. */
        void closed() {
            if (open.decrementAndGet() <= max - Math.max(1, max / 10) && refusing.compareAndSet(true, false)) {
                LOG.info("{} connections are open, below the cap of {} again", open.get(), max);
            }
        }
    }
}
