package dev.stint.token;

/**
 * Signing or verification could not be done because key material was unavailable or the crypto
 * provider failed. This is never a verdict on the token: callers answer 503, never 401.
 */
public final class KeyUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public KeyUnavailableException(String message) {
        super(message);
    }
}
