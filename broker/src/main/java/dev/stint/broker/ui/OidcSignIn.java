package dev.stint.broker.ui;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonRows;
import dev.stint.broker.people.SessionOpener;
import dev.stint.broker.store.Store;
import io.vertx.core.Future;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Single sign-on of people (OpenID Connect, authorization code with PKCE S256): {@link #start}
 * sends the browser to the provider, {@link #finish} takes it back, exchanges the code, verifies
 * the ID token and opens the same session as a passkey sign-in for the person whose email the
 * person claim names (letter case aside). Every call to the provider is made before and outside
 * the store's unit. Refusals of someone unknown are counted with the unauthenticated refusals; a
 * disabled person's is recorded as {@code person:<id>}.
 */
final class OidcSignIn {

    static final String ACTION = "person.sign_in";

    private final OidcProvider provider;
    private final OidcAttempts attempts;
    private final IdTokens idTokens;
    private final Store store;
    private final AuditLog audit;
    private final String redirectUri;
    private final Clock clock;

    OidcSignIn(OidcProvider provider, Store store, AuditLog audit, String origin, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.attempts = new OidcAttempts(clock);
        this.idTokens = new IdTokens(provider.settings().issuer(), provider.settings().clientId(),
                provider.settings().personClaim(), clock);
        this.redirectUri = origin + "/ui/sign-in/oidc/callback";
    }

    /**
     * Where to send the browser: the provider's authorization endpoint, for a new attempt.
     *
     * @param browser the random value of the browser's sign-on cookie, which the callback must carry
     */
    Future<String> start(String browser) {
        return provider.endpoints().compose(endpoints -> {
            OidcAttempts.Attempt attempt;
            try {
                attempt = attempts.start(browser);
            } catch (IllegalStateException e) {
                return Future.failedFuture(new UnavailableException("too many single sign-ins are under way; try"
                        + " again in a few minutes"));
            }
            String scope = "email".equals(provider.settings().personClaim()) ? "openid email" : "openid";
            String base = endpoints.authorization().toString();
            return Future.succeededFuture(base + (base.contains("?") ? "&" : "?")
                    + "response_type=code&client_id=" + encode(provider.settings().clientId())
                    + "&redirect_uri=" + encode(redirectUri) + "&scope=" + encode(scope)
                    + "&state=" + attempt.state() + "&nonce=" + attempt.nonce()
                    + "&code_challenge=" + attempt.challenge() + "&code_challenge_method=S256");
        });
    }

    /**
     * Signs in the person the provider vouches for.
     *
     * @param error the provider's {@code error}, when it sent one instead of a code
     * @return what {@code opener} answered
     */
    <T> Future<T> finish(String state, String browser, String code, String error, SessionOpener<T> opener) {
        var attempt = attempts.spend(state, browser);
        if (attempt.isEmpty()) {
            return anonymous(RejectedException.badRequest("this single sign-on attempt is unknown, used already,"
                    + " expired or started in another browser; sign in again"));
        }
        if (error != null || code == null || code.isEmpty() || code.length() > 2048) {
            return anonymous(RejectedException.unauthorized("the single sign-on provider did not sign you in"
                    + (error != null && error.matches("[a-z_]{1,40}") ? " (" + error + ")" : "")));
        }
        String nonce = attempt.get().nonce();
        return provider.endpoints().compose(endpoints -> provider.idToken(endpoints, code,
                attempt.get().verifier(), redirectUri).compose(idToken -> provider.keys(endpoints).compose(keys -> {
                    try {
                        return Future.succeededFuture(idTokens.personOf(idToken, keys, nonce));
                    } catch (RejectedException e) {
                        return Future.failedFuture(e);
                    }
                })))
                .recover(failure -> failure instanceof RejectedException rejected ? anonymous(rejected)
                        : Future.failedFuture(failure))
                .compose(claim -> signIn(claim, opener));
    }

    /** What the store's unit found. */
    private record Outcome<T>(Person refused, T session) {
    }

    private <T> Future<T> signIn(String claim, SessionOpener<T> opener) {
        Instant now = clock.instant();
        return store.write(tx -> {
            Person person = new PersonRows(tx).byEmail(claim).orElse(null);
            if (person == null) {
                return new Outcome<T>(null, null);
            }
            if (!person.isActive()) {
                new AuditRows(tx).append(event(person.actor(), AuditEvent.Decision.DENY, "person " + person.id()
                        + " is disabled; single sign-on refused"), now);
                return new Outcome<T>(person, null);
            }
            T session = opener.open(tx, person, now);
            new AuditRows(tx).append(event(person.actor(), AuditEvent.Decision.ALLOW, person.id()
                    + " signed in with single sign-on (oidc)"), now);
            return new Outcome<>(null, session);
        }).compose(outcome -> {
            if (outcome.session() != null) {
                return Future.succeededFuture(outcome.session());
            }
            if (outcome.refused() != null) {
                return Future.failedFuture(RejectedException.forbidden("person " + outcome.refused().id()
                        + " is disabled"));
            }
            return anonymous(RejectedException.forbidden("no person here has the email your single sign-on"
                    + " account gave; ask an admin to register you"));
        });
    }

    private <T> Future<T> anonymous(RejectedException rejected) {
        return audit.countUnauthenticated(event("anonymous", AuditEvent.Decision.DENY, rejected.reason()), rejected);
    }

    private static AuditEvent event(String actor, AuditEvent.Decision decision, String reason) {
        return new AuditEvent(actor, ACTION, decision, null, null, null, "", reason);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
