package dev.stint.sdk;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The broker could not give a proper answer: unreachable, timed out, answered 5xx (its store or
 * audit log is down), or answered something that is not the documented contract (garbage). The
 * request was not refused; it may succeed later. The SDK never falls back to a cached credential
 * when this happens, and never reports it as a {@link BrokerRejectedException}.
 *
 * <p>One subtype names a configuration error found in the broker's answer:
 * {@link IssuerMismatchException}, when the client was given a base URI that is not the broker's
 * issuer. Retrying does not help there; the message says which URL to use. Another names the
 * other party of a token exchange: {@link SubjectTokenUnavailableException}, when the client's
 * source of CI tokens gave none, so nothing was sent to the broker.
 */
public sealed class BrokerUnavailableException extends Exception
        permits IssuerMismatchException, SubjectTokenUnavailableException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final Duration retryAfter;

    /**
     * @param message what failed and why; never a token or key
     * @param status the HTTP status, or 0 when there was no HTTP answer
     * @param retryAfter the broker's {@code Retry-After}, or null
     * @param cause the underlying failure, or null
     */
    public BrokerUnavailableException(String message, int status, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public BrokerUnavailableException(String message) {
        this(message, 0, null, null);
    }

    /** The HTTP status of the answer; empty when the broker did not answer at all. */
    public OptionalInt status() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** How long the broker asked us to wait; empty when it did not say. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
