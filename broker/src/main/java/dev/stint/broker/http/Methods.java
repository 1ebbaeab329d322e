package dev.stint.broker.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * RFC 9110 method semantics over a router's routes: HEAD is taken wherever GET is (Vert.x then
 * sends the GET answer's head without its body), and a known path asked with a method it does not
 * take is answered 405 with an {@code Allow} header naming the methods it does.
 */
public final class Methods {

    static final String NOT_ALLOWED = "this endpoint does not take that method";

    private Methods() {
    }

    /**
     * Adds HEAD to every GET route, then one route per path that answers 405 to the methods left
     * over. Call it once, after every endpoint is mounted.
     */
    public static void apply(Router router) {
        Map<String, Set<HttpMethod>> byPath = new LinkedHashMap<>();
        for (Route route : List.copyOf(router.getRoutes())) {
            if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
                continue;
            }
            if (route.methods().contains(HttpMethod.GET)) {
                route.method(HttpMethod.HEAD);
            }
            byPath.computeIfAbsent(route.getPath(), path -> new TreeSet<>(Comparator.comparing(HttpMethod::name)))
                    .addAll(route.methods());
        }
        byPath.forEach((path, methods) -> {
            String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            router.route(path).handler(ctx -> notAllowed(ctx, allow));
        });
    }

    private static void notAllowed(RoutingContext ctx, String allow) {
        ctx.response().putHeader("Allow", allow);
        ctx.fail(new RejectedException(405, ProblemType.METHOD_NOT_ALLOWED, NOT_ALLOWED));
    }
}
