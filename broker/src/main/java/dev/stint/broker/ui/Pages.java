package dev.stint.broker.ui;

import static dev.stint.broker.ui.Html.escape;

import dev.stint.broker.people.Person;
import dev.stint.broker.people.Role;

/**
 * The people's pages, rendered on the server with every field escaped. No inline script or
 * style: the Content-Security-Policy allows only this origin's files.
 */
final class Pages {

    /** Scripts and styles of this origin only; nothing inline, no frames, forms post here only. */
    /** What every page's script shares (base64url, the assertion, a POST with the CSRF token). */
    static final String SHARED_SCRIPT = "passkeys.js";

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private Pages() {
    }

    static String signIn(String csrf) {
        return signIn(csrf, false);
    }

    /** @param singleSignOn whether to offer single sign-on too (a plain link: it only leaves for the provider) */
    static String signIn(String csrf, boolean singleSignOn) {
        return signIn(csrf, singleSignOn, null, "/ui/");
    }

    /**
     * The sign-in page shown in place of a page that needs a signed-in person.
     *
     * @param notice why they must sign in, or {@code null}
     * @param next the page (a path under {@code /ui/}) a passkey sign-in goes on to
     */
    static String signIn(String csrf, boolean singleSignOn, String notice, String next) {
        return layout("Sign in", csrf, (notice == null ? "" : "<p id=\"notice\" class=\"notice\">" + escape(notice)
                + "</p>\n") + """
                <h1>Sign in to Stint</h1>
                <p>Use the passkey you registered from your enrollment link.</p>
                """ + "<button type=\"button\" id=\"sign-in\" data-next=\"" + escape(next)
                + "\">Sign in with a passkey</button>\n" + """
                <p id="status" role="status" aria-live="polite"></p>
                """ + (singleSignOn ? "<p><a id=\"sign-in-oidc\" class=\"button\" href=\"/ui/sign-in/oidc\">"
                + "Sign in with single sign-on</a></p>\n" : ""));
    }

    /**
     * The end of a single sign-on: a same-site page that moves on to {@code /ui/} (a redirect
     * would still count as the provider's cross-site navigation, without the Strict session cookie).
     */
    static String signedIn() {
        return signedIn("/ui/");
    }

    /** @param next one of the pages ({@link #isPagePath}), where the browser goes on to */
    static String signedIn(String next) {
        String to = escape(isPagePath(next) ? next : "/ui/");
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta http-equiv=\"refresh\" content=\"0;url=" + to + "\">\n<title>Signed in · Stint</title>\n"
                + "<link rel=\"stylesheet\" href=\"/ui/static/ui.css\">\n</head>\n<body>\n<main>\n"
                + "<p>You are signed in. <a id=\"continue\" href=\"" + to + "\">Continue</a></p>\n</main>\n"
                + "</body>\n</html>\n";
    }

    /** A path of these pages, and nothing that could lead elsewhere: no host, query, dots or escapes. */
    static boolean isPagePath(String path) {
        return path != null && PAGE_PATH.matcher(path).matches();
    }

    private static final java.util.regex.Pattern PAGE_PATH = java.util.regex.Pattern.compile(
            "/ui/(?:[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*)?");

    /** A sign-in that did not happen: why, and the way back. */
    static String signInFailed(String title, String why) {
        return layout(title, "", "<h1>" + escape(title) + "</h1>\n<p id=\"why\">" + escape(why) + "</p>\n"
                + "<p><a href=\"/ui/\">Back to sign-in</a></p>\n");
    }

    static String enroll(String csrf) {
        return layout("Register a passkey", csrf, """
                <h1>Register a passkey</h1>
                <p id="who">Checking your enrollment link…</p>
                <button type="button" id="enroll" disabled>Register a passkey</button>
                <p id="status" role="status" aria-live="polite"></p>
                <p id="done" hidden>Your passkey is registered. <a href="/ui/">Sign in</a></p>
                """);
    }

    static String home(Person person, String csrf) {
        String name = person.name() == null ? "" : "<strong>" + escape(person.name()) + "</strong> ";
        String roles = String.join(", ", person.roles().stream().map(Role::wireName).toList());
        return layout("Signed in", csrf, "<h1>Stint</h1>\n"
                + "<p id=\"who\">Signed in as " + name + "<span class=\"email\">" + escape(person.email())
                + "</span></p>\n"
                + "<p>Roles: " + escape(roles) + "</p>\n"
                + "<p><a id=\"approvals\" class=\"button\" href=\"/ui/approvals\">Approval requests</a></p>\n"
                + "<form method=\"post\" action=\"/ui/sign-out\">\n"
                + "<input type=\"hidden\" name=\"" + Csrf.FIELD + "\" value=\"" + escape(csrf) + "\">\n"
                + "<button type=\"submit\" id=\"sign-out\">Sign out</button>\n"
                + "</form>\n");
    }

    private static String layout(String title, String csrf, String main) {
        return layout(title, csrf, "webauthn.js", "", main);
    }

    /**
     * A whole page.
     *
     * @param script the page's own script file of {@code /ui/static/}, loaded after the shared
     *     {@value #SHARED_SCRIPT}
     * @param header markup above {@code <main>} (already escaped), or empty
     */
    static String layout(String title, String csrf, String script, String header, String main) {
        return "<!doctype html>\n"
                + "<html lang=\"en\">\n"
                + "<head>\n"
                + "<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<meta name=\"csrf-token\" content=\"" + escape(csrf) + "\">\n"
                + "<title>" + escape(title) + " · Stint</title>\n"
                + "<link rel=\"stylesheet\" href=\"/ui/static/ui.css\">\n"
                + "<script src=\"/ui/static/" + SHARED_SCRIPT + "\" defer></script>\n"
                + "<script src=\"/ui/static/" + script + "\" defer></script>\n"
                + "</head>\n"
                + "<body>\n" + header + "<main>\n" + main + "</main>\n</body>\n"
                + "</html>\n";
    }
}
