package dev.stint.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The agent token used on the task API: discovered issuer, authentication at a token endpoint on
 * the issuer's own origin (by {@code private_key_jwt} or by token exchange, as the
 * {@link AgentGrant} says), and a cache that renews shortly before expiry. One authentication at
 * a time; readers of a valid token never wait. Thread safe.
 */
final class AgentTokens {

    static final String METADATA_PATH = "/.well-known/oauth-authorization-server";

    private final BrokerHttp http;
    private final URI baseUri;
    private final AgentGrant grant;
    private final Clock clock;
    private final Duration safetyMargin;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile Metadata metadata;
    private volatile AgentToken current;

    AgentTokens(BrokerHttp http, URI baseUri, AgentGrant grant, Clock clock, Duration safetyMargin) {
        this.http = Objects.requireNonNull(http, "http");
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.grant = Objects.requireNonNull(grant, "grant");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.safetyMargin = Objects.requireNonNull(safetyMargin, "safetyMargin");
    }

    /**
     * The discovered issuer and token endpoint.
     *
     * @param grantTypes the {@code grant_types_supported} the broker publishes, or null when it
     *     publishes none
     */
    record Metadata(String issuer, URI tokenEndpoint, List<String> grantTypes) {
    }

    /** A valid agent token, authenticating first if there is none or it is about to expire. */
    String bearer() throws BrokerRejectedException, BrokerUnavailableException {
        return token().value();
    }

    /** Same as {@link #bearer()}, with the token's expiry and renewal time. */
    AgentToken token() throws BrokerRejectedException, BrokerUnavailableException {
        AgentToken token = current;
        if (token != null && clock.instant().isBefore(token.renewsAt())) {
            return token;
        }
        lock.lock();
        try {
            token = current;
            if (token != null && clock.instant().isBefore(token.renewsAt())) {
                return token;
            }
            current = null;
            token = authenticate();
            current = token;
            return token;
        } finally {
            lock.unlock();
        }
    }

    /** Drops {@code rejected} after the broker refused it; a newer token is kept. */
    void invalidate(String rejected) {
        lock.lock();
        try {
            AgentToken token = current;
            if (token != null && token.value().equals(rejected)) {
                current = null;
            }
        } finally {
            lock.unlock();
        }
    }

    Metadata metadata() throws BrokerRejectedException, BrokerUnavailableException {
        Metadata known = metadata;
        if (known != null) {
            return known;
        }
        String what = "authorization server metadata request";
        ObjectNode answer = http.json(http.exchange(
                HttpRequest.newBuilder(URI.create(baseUri + METADATA_PATH)).GET(), what), what);
        String issuer = Json.text(answer, "issuer", what);
        if (!stripSlash(issuer).equals(baseUri.toString())) {
            // RFC 8414 section 3.3: metadata naming another issuer must not be used. Not garbage when
            // the issuer is a URL: the broker answered properly, the client was given another URL.
            throw new IssuerMismatchException(what, httpUrl(issuer, what), baseUri);
        }
        URI tokenEndpoint = Json.value(answer, "token_endpoint", what, URI::create);
        if (!tokenEndpoint.isAbsolute() || tokenEndpoint.getHost() == null
                || !("http".equals(tokenEndpoint.getScheme()) || "https".equals(tokenEndpoint.getScheme()))) {
            throw Json.garbage(what, "field 'token_endpoint' is not an absolute http(s) URL");
        }
        if (!sameOrigin(tokenEndpoint, baseUri)) {
            // The client assertion proves who we are to whoever receives it: only the issuer gets it.
            throw Json.garbage(what, "field 'token_endpoint' (" + BrokerHttp.readable(tokenEndpoint.toString())
                    + ") is not on the issuer's origin " + origin(baseUri)
                    + "; the client assertion is only sent to the issuer's own scheme, host and port");
        }
        List<String> grantTypes = answer.has("grant_types_supported")
                ? Json.values(answer, "grant_types_supported", what, text -> text) : null;
        known = new Metadata(issuer, tokenEndpoint, grantTypes);
        metadata = known;
        return known;
    }

    private AgentToken authenticate() throws BrokerRejectedException, BrokerUnavailableException {
        Metadata meta = metadata();
        String what = grant.what();
        Map<String, String> form = grant.form(meta, clock.instant());
        HttpRequest.Builder request = HttpRequest.newBuilder(meta.tokenEndpoint())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)));
        Instant requestedAt = clock.instant();
        ObjectNode answer = http.json(http.exchange(request, what), what);
        String value = Json.text(answer, "access_token", what);
        requireBearer(answer, what);
        grant.checkAnswer(answer);
        Duration lifetime = Duration.ofSeconds(Json.positiveLong(answer, "expires_in", what));
        // Renew a little early so a request never leaves with a token that expires in flight.
        Duration early = lifetime.dividedBy(2).compareTo(safetyMargin) < 0 ? lifetime.dividedBy(2) : safetyMargin;
        Instant expiresAt = requestedAt.plus(lifetime);
        return new AgentToken(value, expiresAt, expiresAt.minus(early));
    }

    static void requireBearer(ObjectNode answer, String what) throws BrokerUnavailableException {
        if (!"bearer".equalsIgnoreCase(Json.text(answer, "token_type", what))) {
            throw Json.garbage(what, "field 'token_type' is not Bearer");
        }
    }

    private static String formEncode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /**
     * True when {@code uri} has the scheme, host and port of {@code base} (default ports made
     * explicit, case ignored) and no user info, which could disguise its host.
     */
    static boolean sameOrigin(URI uri, URI base) {
        return uri.getRawUserInfo() == null
                && uri.getScheme() != null && uri.getScheme().equalsIgnoreCase(base.getScheme())
                && uri.getHost() != null && uri.getHost().equalsIgnoreCase(base.getHost())
                && port(uri) == port(base);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String origin(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + ":" + port(uri);
    }

    /** The issuer as an absolute http(s) URL with a host and no user info, query or fragment. */
    private static URI httpUrl(String issuer, String what) throws BrokerUnavailableException {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            throw Json.garbage(what, "field 'issuer' is not a URL");
        }
        if (!uri.isAbsolute() || uri.getHost() == null
                || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw Json.garbage(what, "field 'issuer' is not an http(s) URL with a host and no user info, "
                    + "query or fragment");
        }
        return uri;
    }

    private static String stripSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
