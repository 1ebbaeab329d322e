package dev.stint.broker;

/**
 * A rejection at an OAuth endpoint, which answers with the RFC 6749 {@code error} code (e.g.
 * {@code invalid_client}) beside the problem fields, because standard OAuth clients read that.
 */
public final class OAuthRejectedException extends RejectedException {

    private static final long serialVersionUID = 1L;

    private final String error;

    public OAuthRejectedException(int status, String error, String reason) {
        super(status, status == 401 ? ProblemType.UNAUTHORIZED : ProblemType.INVALID_REQUEST, reason);
        this.error = error;
    }

    public static OAuthRejectedException invalidClient(String reason) {
        return new OAuthRejectedException(401, "invalid_client", reason);
    }

    public static OAuthRejectedException invalidRequest(String reason) {
        return new OAuthRejectedException(400, "invalid_request", reason);
    }

    public String error() {
        return error;
    }
}
