package dev.stint.broker.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.deployment.OidcSignInSettings;
import dev.stint.broker.http.BoundedAnswer;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single sign-on provider, over Vert.x's HTTP client (non-blocking, no redirects, bounded
 * answers, a timeout): its discovery document (cached {@link #FRESH_FOR}), its keys (fetched at
 * each sign-in, so that rotated keys are seen at once; sign-ins are rare), and the code exchange.
 * A provider that does not answer, or answers unusably, is an {@link UnavailableException}; a code
 * it refuses is a {@link RejectedException}. No log line or message holds the client secret, a
 * code or a token.
 */
final class OidcProvider {

    static final Duration FRESH_FOR = Duration.ofMinutes(10);
    static final int MAX_ANSWER_BYTES = 256 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(OidcProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The endpoints of the provider's discovery document. */
    record Endpoints(URI authorization, URI token, URI jwks, boolean postSecret, Instant fetchedAt) {
    }

    private final HttpClient http;
    private final OidcSignInSettings settings;
    private final Clock clock;
    private final long timeoutMillis;
    private final AtomicReference<Endpoints> known = new AtomicReference<>();

    OidcProvider(Vertx vertx, OidcSignInSettings settings, Clock clock, Duration timeout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeoutMillis = timeout.toMillis();
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMillis)
                .setMaxRedirects(0).setKeepAlive(true).setVerifyHost(true));
    }

    OidcSignInSettings settings() {
        return settings;
    }

    /** The discovery document's endpoints, fetched when not known or no longer fresh. */
    Future<Endpoints> endpoints() {
        Endpoints cached = known.get();
        if (cached != null && clock.instant().isBefore(cached.fetchedAt().plus(FRESH_FOR))) {
            return Future.succeededFuture(cached);
        }
        String issuer = settings.issuer();
        String url = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration";
        return send(get(url), "its discovery document").compose(body -> {
            try {
                Endpoints endpoints = endpoints(body);
                known.set(endpoints);
                return Future.succeededFuture(endpoints);
            } catch (UnavailableException e) {
                return Future.failedFuture(e);
            }
        });
    }

    Future<JWKSet> keys(Endpoints endpoints) {
        return send(get(endpoints.jwks().toString()), "its key set").compose(body -> {
            try {
                return Future.succeededFuture(JWKSet.parse(body.toString(StandardCharsets.UTF_8)).toPublicJWKSet());
            } catch (ParseException e) {
                return Future.failedFuture(broken("its key set is not a JWK Set"));
            }
        });
    }

    /**
     * Exchanges the code (with the PKCE verifier) for the ID token.
     *
     * @return the ID token, unverified
     */
    Future<String> idToken(Endpoints endpoints, String code, String verifier, String redirectUri) {
        StringBuilder form = new StringBuilder("grant_type=authorization_code&code=").append(encode(code))
                .append("&redirect_uri=").append(encode(redirectUri))
                .append("&code_verifier=").append(encode(verifier));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(endpoints.token().toString()).setFollowRedirects(false).setTimeout(timeoutMillis)
                .addHeader("Accept", "application/json")
                .addHeader("Content-Type", "application/x-www-form-urlencoded");
        if (endpoints.postSecret()) {
            form.append("&client_id=").append(encode(settings.clientId())).append("&client_secret=")
                    .append(encode(settings.clientSecret()));
        } else {
            // RFC 6749, section 2.3.1: both parts form-encoded before Basic.
            String pair = encode(settings.clientId()) + ":" + encode(settings.clientSecret());
            request.addHeader("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return http.request(request)
                .compose(req -> req.send(Buffer.buffer(form.toString())))
                .compose(response -> {
                    if (response.statusCode() == 400 || response.statusCode() == 401) {
                        return response.body().transform(ignored -> Future.failedFuture(
                                RejectedException.unauthorized("the single sign-on provider refused the sign-in"
                                        + " code (HTTP " + response.statusCode() + "); sign in again")));
                    }
                    return response.statusCode() == 200
                            ? BoundedAnswer.read(response, MAX_ANSWER_BYTES, "the single sign-on provider's token answer")
                            : Future.failedFuture(broken("its token endpoint answered HTTP " + response.statusCode()));
                })
                .recover(this::unavailable)
                .compose(body -> {
                    try {
                        JsonNode answer = JSON.readTree(body.getBytes());
                        JsonNode idToken = answer == null ? null : answer.get("id_token");
                        return idToken != null && idToken.isTextual() ? Future.succeededFuture(idToken.asText())
                                : Future.failedFuture(broken("its token answer has no id_token"));
                    } catch (IOException e) {
                        return Future.failedFuture(broken("its token answer is not JSON"));
                    }
                });
    }

    private Endpoints endpoints(Buffer body) throws UnavailableException {
        JsonNode document;
        try {
            document = JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw broken("its discovery document is not JSON");
        }
        if (document == null || !document.path("issuer").asText("").equals(settings.issuer())) {
            throw broken("its discovery document names another issuer");
        }
        boolean basic = true;
        JsonNode methods = document.get("token_endpoint_auth_methods_supported");
        if (methods != null && methods.isArray()) {
            boolean hasBasic = false;
            boolean hasPost = false;
            for (JsonNode method : methods) {
                hasBasic |= "client_secret_basic".equals(method.asText());
                hasPost |= "client_secret_post".equals(method.asText());
            }
            basic = hasBasic || !hasPost;
        }
        return new Endpoints(endpoint(document, "authorization_endpoint"), endpoint(document, "token_endpoint"),
                endpoint(document, "jwks_uri"), !basic, clock.instant());
    }

    /** An https endpoint, or an http one on the issuer's own loopback origin. */
    private URI endpoint(JsonNode document, String name) throws UnavailableException {
        JsonNode value = document.get(name);
        URI uri;
        try {
            uri = value == null || !value.isTextual() ? null : new URI(value.asText());
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw broken("its discovery document has no usable " + name);
        }
        URI issuer = URI.create(settings.issuer());
        boolean https = "https".equals(uri.getScheme());
        boolean sameHttpOrigin = "http".equals(uri.getScheme()) && "http".equals(issuer.getScheme())
                && uri.getHost().equalsIgnoreCase(issuer.getHost()) && uri.getPort() == issuer.getPort();
        if (!https && !sameHttpOrigin) {
            throw broken("its " + name + " is not an https URL");
        }
        return uri;
    }

    private RequestOptions get(String url) {
        return new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setFollowRedirects(false)
                .setTimeout(timeoutMillis).addHeader("Accept", "application/json");
    }

    private Future<Buffer> send(RequestOptions request, String what) {
        return http.request(request)
                .compose(req -> req.send())
                .compose(response -> response.statusCode() == 200
                        ? BoundedAnswer.read(response, MAX_ANSWER_BYTES, "the single sign-on provider's " + what)
                        : Future.failedFuture(broken(what + " could not be fetched: HTTP " + response.statusCode())))
                .recover(this::unavailable);
    }

    private <T> Future<T> unavailable(Throwable failure) {
        if (failure instanceof UnavailableException || failure instanceof RejectedException) {
            if (failure instanceof UnavailableException unavailable) {
                LOG.warn("single sign-on: {}", unavailable.reason());
            }
            return Future.failedFuture(failure);
        }
        LOG.warn("single sign-on: provider {} could not be reached: {}", settings.issuer(),
                failure.getClass().getSimpleName());
        return Future.failedFuture(new UnavailableException("the single sign-on provider could not be reached ("
                + failure.getClass().getSimpleName() + ")", failure));
    }

    private UnavailableException broken(String what) {
        return new UnavailableException("the single sign-on provider " + settings.issuer() + " answered unusably: "
                + what);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

}
