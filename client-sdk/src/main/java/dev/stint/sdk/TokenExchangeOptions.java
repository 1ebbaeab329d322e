package dev.stint.sdk;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link StintClient} reaches the broker when it authenticates by token exchange (RFC 8693)
 * rather than with an agent key: a CI job hands over its platform's OIDC token, and the broker's
 * federation rules decide which agent it acts as. The client does not need to know that agent;
 * it learns it from the first task answer.
 *
 * @param baseUri the broker; must equal the {@code issuer} it publishes, as for
 *     {@link StintClientOptions#baseUri()}; a trailing slash is dropped
 * @param subjectTokens gives a subject token for each exchange; the client asks again whenever it
 *     needs a new agent token (at renewal, or after a 401)
 * @param clock the source of "now" for every expiry decision
 * @param requestTimeout the longest any single HTTP exchange with the broker may take
 * @param safetyMargin as for {@link StintClientOptions#safetyMargin()}
 */
public record TokenExchangeOptions(
        URI baseUri,
        SubjectTokenSource subjectTokens,
        Clock clock,
        Duration requestTimeout,
        Duration safetyMargin) {

    public TokenExchangeOptions {
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(subjectTokens, "subjectTokens");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(safetyMargin, "safetyMargin");
        baseUri = StintClientOptions.normalise(baseUri);
        StintClientOptions.requireUsable(requestTimeout, safetyMargin);
    }

    /**
     * Options with {@link StintClientOptions#DEFAULT_REQUEST_TIMEOUT} and
     * {@link StintClientOptions#DEFAULT_SAFETY_MARGIN}.
     */
    public static TokenExchangeOptions of(URI baseUri, SubjectTokenSource subjectTokens, Clock clock) {
        return new TokenExchangeOptions(baseUri, subjectTokens, clock,
                StintClientOptions.DEFAULT_REQUEST_TIMEOUT, StintClientOptions.DEFAULT_SAFETY_MARGIN);
    }

    public TokenExchangeOptions withRequestTimeout(Duration timeout) {
        return new TokenExchangeOptions(baseUri, subjectTokens, clock, timeout, safetyMargin);
    }

    public TokenExchangeOptions withSafetyMargin(Duration margin) {
        return new TokenExchangeOptions(baseUri, subjectTokens, clock, requestTimeout, margin);
    }

    @Override
    public String toString() {
        return "TokenExchangeOptions[baseUri=" + baseUri + ", clock=" + clock + ", requestTimeout=" + requestTimeout
                + ", safetyMargin=" + safetyMargin + "]";
    }
}
