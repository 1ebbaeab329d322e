package dev.stint.sdk;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.token.AgentId;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link StintClient} reaches the broker and proves who it is. {@link #toString()} names
 * the key by its kid only.
 *
 * @param baseUri the broker, e.g. {@code http://127.0.0.1:8400}; must equal the {@code issuer} the
 *     broker publishes (RFC 8414 section 3.3), or the first request fails with
 *     {@link IssuerMismatchException} naming the issuer to use; a trailing slash is dropped
 * @param agentId the registered agent this client acts as
 * @param agentKey the agent's private P-256 JWK with a {@code kid}, as registered with the broker
 * @param clock the source of "now" for every expiry decision
 * @param requestTimeout the longest any single HTTP exchange may take, including the body
 * @param safetyMargin a cached token or database login is served only while it stays valid at
 *     least this long (a database login shorter than twice this, for half its life)
 */
public record StintClientOptions(
        URI baseUri,
        AgentId agentId,
        ECKey agentKey,
        Clock clock,
        Duration requestTimeout,
        Duration safetyMargin) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(30);

    public StintClientOptions {
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(agentKey, "agentKey");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(safetyMargin, "safetyMargin");
        baseUri = normalise(baseUri);
        AgentKeys.requireUsable(agentKey);
        requireUsable(requestTimeout, safetyMargin);
    }

    /** Options with {@link #DEFAULT_REQUEST_TIMEOUT} and {@link #DEFAULT_SAFETY_MARGIN}. */
    public static StintClientOptions of(URI baseUri, AgentId agentId, ECKey agentKey, Clock clock) {
        return new StintClientOptions(baseUri, agentId, agentKey, clock,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_SAFETY_MARGIN);
    }

    public StintClientOptions withRequestTimeout(Duration timeout) {
        return new StintClientOptions(baseUri, agentId, agentKey, clock, timeout, safetyMargin);
    }

    public StintClientOptions withSafetyMargin(Duration margin) {
        return new StintClientOptions(baseUri, agentId, agentKey, clock, requestTimeout, margin);
    }

    /** Checks the timing options every client shares. */
    static void requireUsable(Duration requestTimeout, Duration safetyMargin) {
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            // Zero would mean "wait forever" in some APIs; a client must always give up.
            throw new IllegalArgumentException("requestTimeout must be positive");
        }
        if (safetyMargin.isNegative()) {
            throw new IllegalArgumentException("safetyMargin must not be negative");
        }
    }

    /** The base URI as every client uses it: absolute http(s), no user info, query, fragment or trailing slash. */
    static URI normalise(URI uri) {
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || uri.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new IllegalArgumentException("baseUri must be an absolute http or https URI with a host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("baseUri must not have user info, a query or a fragment");
        }
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }

    @Override
    public String toString() {
        return "StintClientOptions[baseUri=" + baseUri + ", agentId=" + agentId
                + ", agentKey=kid:" + agentKey.getKeyID() + ", clock=" + clock
                + ", requestTimeout=" + requestTimeout + ", safetyMargin=" + safetyMargin + "]";
    }
}
