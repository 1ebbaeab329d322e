package dev.stint.broker.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.deployment.FederationSettings;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.BoundedAnswer;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of the OIDC issuers CI tokens come from, found through each issuer's discovery
 * document ({@code /.well-known/openid-configuration}, its {@code jwks_uri}) and cached. Keys are
 * fresh for {@link #FRESH_FOR}; after that they are fetched again before use, and an issuer that
 * does not answer then is a 503, never a stale key set. An unknown {@code kid} fetches them again
 * at most once per {@link #REFRESH_AT_MOST_EVERY} per issuer, so that made-up kids cannot make the
 * broker hammer an issuer. Non-blocking: Vert.x's HTTP client, no redirects, bounded answers.
 */
public final class CiIssuers {

    public static final Duration FRESH_FOR = Duration.ofMinutes(10);
    public static final Duration REFRESH_AT_MOST_EVERY = Duration.ofSeconds(30);
    static final int MAX_ANSWER_BYTES = 256 * 1024;
    static final long TIMEOUT_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(CiIssuers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final FederationSettings settings;
    private final Clock clock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Map<String, Future<Known>> inFlight = new ConcurrentHashMap<>();

    /** An issuer's keys and when they were fetched. */
    private record Known(JWKSet keys, Instant fetchedAt) {
    }

    private final long timeoutMillis;

    public CiIssuers(Vertx vertx, FederationSettings settings, Clock clock) {
        this(vertx, settings, clock, Duration.ofMillis(TIMEOUT_MILLIS));
    }

    /** @param timeout how long one request to an issuer may take, connecting included */
    CiIssuers(Vertx vertx, FederationSettings settings, Clock clock, Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeoutMillis)
                .setMaxRedirects(0)
                .setKeepAlive(true)
                .setVerifyHost(true));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The issuer's keys, fetched when not known or no longer fresh. */
    public Future<JWKSet> keys(String issuer) {
        Known cached = known.get(issuer);
        if (cached != null && clock.instant().isBefore(cached.fetchedAt().plus(FRESH_FOR))) {
            return Future.succeededFuture(cached.keys());
        }
        return fetch(issuer).map(Known::keys);
    }

    /**
     * The issuer's keys after a token named a kid they lack: fetched again unless they were
     * fetched less than {@link #REFRESH_AT_MOST_EVERY} ago (then the cached set stands).
     */
    public Future<JWKSet> keysAfterUnknownKid(String issuer) {
        Known cached = known.get(issuer);
        if (cached != null && clock.instant().isBefore(cached.fetchedAt().plus(REFRESH_AT_MOST_EVERY))) {
            return Future.succeededFuture(cached.keys());
        }
        return fetch(issuer).map(Known::keys);
    }

    /** One fetch per issuer at a time: concurrent callers share it. */
    private Future<Known> fetch(String issuer) {
        Promise<Known> mine = Promise.promise();
        Future<Known> running = inFlight.putIfAbsent(issuer, mine.future());
        if (running != null) {
            return running;
        }
        // Started outside the map's own update: a fetch that fails at once must not touch the map inside it.
        discover(issuer).onComplete(done -> {
            if (done.succeeded()) {
                known.put(issuer, done.result());
            }
            inFlight.remove(issuer, mine.future());
            mine.handle(done);
        });
        return mine.future();
    }

    private Future<Known> discover(String issuer) {
        if (!settings.allows(issuer)) {
            // Checked by the exchange before it gets here; kept so that no path reaches plain http.
            return Future.failedFuture(new IllegalStateException("issuer " + issuer + " is not reachable over http"));
        }
        String discovery = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration";
        return get(discovery, "the discovery document of " + issuer)
                .compose(document -> Attempt.step(() -> jwksUri(document, issuer)))
                .compose(jwksUri -> get(jwksUri.toString(), "the keys of " + issuer))
                .compose(jwks -> Attempt.step(() -> new Known(keySet(jwks, issuer), clock.instant())));
    }

    private URI jwksUri(Buffer body, String issuer) throws UnavailableException {
        JsonNode document;
        try {
            document = JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw broken(issuer, "its discovery document is not JSON");
        }
        JsonNode iss = document == null ? null : document.get("issuer");
        if (iss == null || !iss.isTextual() || !iss.asText().equals(issuer)) {
            // OpenID Connect Discovery 1.0, section 4.3: the document must name the very issuer asked.
            throw broken(issuer, "its discovery document names another issuer");
        }
        JsonNode jwks = document.get("jwks_uri");
        if (jwks == null || !jwks.isTextual()) {
            throw broken(issuer, "its discovery document has no jwks_uri");
        }
        URI uri;
        try {
            uri = new URI(jwks.asText());
        } catch (URISyntaxException e) {
            throw broken(issuer, "its jwks_uri is not a URL");
        }
        boolean https = "https".equals(uri.getScheme());
        boolean sameHttpOrigin = "http".equals(uri.getScheme()) && !issuer.startsWith("https:")
                && sameOrigin(uri, URI.create(issuer));
        if (uri.getHost() == null || uri.getRawUserInfo() != null || !(https || sameHttpOrigin)) {
            throw broken(issuer, "its jwks_uri is not an https URL");
        }
        return uri;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private static JWKSet keySet(Buffer body, String issuer) throws UnavailableException {
        try {
            JWKSet set = JWKSet.parse(body.toString(java.nio.charset.StandardCharsets.UTF_8));
            // Private parts in a published key set are the issuer's mistake; only public halves are used.
            return set.toPublicJWKSet();
        } catch (ParseException e) {
            throw broken(issuer, "its key set is not a JWK Set");
        }
    }

    private Future<Buffer> get(String url, String what) {
        RequestOptions request;
        try {
            request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                    .setFollowRedirects(false).setTimeout(timeoutMillis).addHeader("Accept", "application/json");
        } catch (RuntimeException e) {
            return Future.failedFuture(new UnavailableException(what + " could not be fetched: not a usable URL"));
        }
        return http.request(request)
                .compose(req -> req.send())
                .compose(response -> response.statusCode() == 200
                        ? BoundedAnswer.read(response, MAX_ANSWER_BYTES, what)
                        : Future.failedFuture(new UnavailableException(what + " could not be fetched: HTTP "
                                + response.statusCode())))
                .recover(failure -> {
                    if (failure instanceof UnavailableException) {
                        LOG.warn("CI federation: {}", ((UnavailableException) failure).reason());
                        return Future.failedFuture(failure);
                    }
                    LOG.warn("CI federation: {} could not be fetched: {}", what, failure.toString());
                    return Future.failedFuture(new UnavailableException(what + " could not be fetched ("
                            + failure.getClass().getSimpleName() + ")", failure));
                });
    }

    private static UnavailableException broken(String issuer, String what) {
        return new UnavailableException("CI token issuer " + issuer + " answered unusably: " + what);
    }
}
