package dev.stint.broker.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * What the request head alone shows to be wrong, checked before a route is matched or the body
 * read: a path whose percent-encoding is malformed (the router could not even compare it with its
 * routes), and a body on a method that takes none.
 */
public final class HeadChecks {

    /** The methods whose requests may carry a body (the ones the body reader can decode a form for). */
    private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    private HeadChecks() {
    }

    public static void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!wellEncoded(request.path())) {
            ctx.fail(RejectedException.badRequest(
                    "the request path is malformed: each '%' must be followed by two hex digits"));
        } else if (!WITH_BODY.contains(request.method()) && hasBody(request)) {
            ctx.fail(RejectedException.badRequest("this method takes no request body"));
        } else {
            ctx.next();
        }
    }

    static boolean wellEncoded(String path) {
        if (path == null) {
            return true;
        }
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length() || !isHex(path.charAt(i + 1)) || !isHex(path.charAt(i + 2))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return request.headers().contains("Transfer-Encoding") || length != null && !length.strip().equals("0");
    }
}
