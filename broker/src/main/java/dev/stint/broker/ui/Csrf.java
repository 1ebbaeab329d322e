package dev.stint.broker.ui;

import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * The token every state-changing request under {@code /ui/} must carry ({@code X-CSRF-Token} or
 * the form field {@code csrf_token}). It is derived from the browser's own HttpOnly cookie (the
 * session's once signed in, else a per-browser one), so another site can neither read nor compute
 * it, and nothing more needs storing. Compared in constant time.
 */
final class Csrf {

    static final String HEADER = "X-CSRF-Token";
    static final String FIELD = "csrf_token";

    private final String origin;

    /** @param origin the pages' origin: a request from any other is refused whatever it carries */
    Csrf(String origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** The token for pages served to the holder of the cookie {@code secret}. */
    static String tokenFor(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("stint-csrf:" + secret).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** @throws RejectedException 403 {@code csrf-rejected} unless the request carries this browser's token */
    void check(RoutingContext ctx) throws RejectedException {
        String from = ctx.request().getHeader("Origin");
        if (from != null && !from.equals(origin)) {
            throw refused("this request came from another site (" + (from.length() > 100 ? "a long origin"
                    : dev.stint.broker.http.FreeText.printable(from)) + ")");
        }
        String secret = cookie(ctx, Cookies.SESSION);
        if (secret == null) {
            secret = cookie(ctx, Cookies.BROWSER);
        }
        String sent = ctx.request().getHeader(HEADER);
        if (sent == null) {
            sent = ctx.request().getFormAttribute(FIELD);
        }
        if (secret == null || sent == null) {
            throw refused("the request carries no CSRF token or no cookie of this site; reload the page");
        }
        if (!MessageDigest.isEqual(tokenFor(secret).getBytes(StandardCharsets.US_ASCII),
                sent.getBytes(StandardCharsets.US_ASCII))) {
            throw refused("the CSRF token is not this browser's; reload the page");
        }
    }

    private static RejectedException refused(String why) {
        return new RejectedException(403, ProblemType.CSRF_REJECTED, "cross-site request refused: " + why);
    }

    static String cookie(RoutingContext ctx, String name) {
        Cookie cookie = ctx.request().getCookie(name);
        return cookie == null || cookie.getValue().isEmpty() || cookie.getValue().length() > 200 ? null
                : cookie.getValue();
    }
}
