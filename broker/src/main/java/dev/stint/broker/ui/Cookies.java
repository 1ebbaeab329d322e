package dev.stint.broker.ui;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import java.time.Duration;

/**
 * The pages' cookies: {@code __Host-} (this origin only, path {@code /}), HttpOnly, SameSite
 * Strict and Secure. Browsers keep Secure cookies of {@code http://localhost} too, the one plain
 * http origin the pages run on (passkeys need https or localhost anyway).
 */
final class Cookies {

    /** The signed-in session's secret. */
    static final String SESSION = "__Host-stint-session";
    /** A random value per browser, before sign-in: what its CSRF token is derived from. */
    static final String BROWSER = "__Host-stint-browser";
    static final Duration BROWSER_LIFE = Duration.ofDays(1);
    /**
     * Binds a single sign-on attempt to its browser. SameSite Lax, the one exception: the
     * provider's redirect back is a cross-site navigation, which Strict cookies do not follow.
     */
    static final String SIGN_ON = "__Host-stint-sign-on";
    /** Where a single sign-on goes back to (one of the pages), beside {@link #SIGN_ON} and as Lax. */
    static final String SIGN_ON_NEXT = "__Host-stint-sign-on-next";

    private Cookies() {
    }

    /** @param maxAge {@code null} for a cookie that ends with the browser session */
    static Cookie of(String name, String value, Duration maxAge) {
        Cookie cookie = Cookie.cookie(name, value).setPath("/").setSecure(true).setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT);
        if (maxAge != null) {
            cookie.setMaxAge(maxAge.toSeconds());
        }
        return cookie;
    }

    /** {@link #of}, but sent on top-level navigations from other sites too. */
    static Cookie lax(String name, String value, Duration maxAge) {
        return of(name, value, maxAge).setSameSite(CookieSameSite.LAX);
    }

    static Cookie cleared(String name) {
        return of(name, "", Duration.ZERO);
    }
}
