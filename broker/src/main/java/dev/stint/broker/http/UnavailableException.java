package dev.stint.broker.http;

/**
 * We could not do the work: the store, the audit log, the key material or a backend is down or
 * answered garbage. Always 503 with {@code Retry-After}; never an allow, never a 401.
 */
public class UnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public UnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public UnavailableException(String reason) {
        super(reason);
    }

    public String reason() {
        return getMessage();
    }
}
