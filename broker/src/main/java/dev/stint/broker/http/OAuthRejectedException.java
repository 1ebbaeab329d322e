package dev.stint.broker.http;

/**
 * A rejection at an OAuth endpoint, which answers with the RFC 6749 {@code error} code (e.g.
 * {@code invalid_client}) beside the problem fields, because standard OAuth clients read that.
 */
public final class OAuthRejectedException extends RejectedException {

    private static final long serialVersionUID = 1L;

    private final String error;
    private final String agentId;

    public OAuthRejectedException(int status, String error, String reason) {
        this(status, error, reason, null);
    }

    private OAuthRejectedException(int status, String error, String reason, String agentId) {
        super(status, switch (status) {
            case 401 -> ProblemType.UNAUTHORIZED;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> ProblemType.INVALID_REQUEST;
        }, reason);
        this.error = error;
        this.agentId = agentId;
    }

    /** The same rejection, attributed to the agent the request claimed to be (for the audit log). */
    public OAuthRejectedException claimedBy(String claimedAgentId) {
        return new OAuthRejectedException(status(), error, reason(), claimedAgentId);
    }

    /** The agent the rejected request claimed to be; {@code null} when it named none we could read. */
    public String agentId() {
        return agentId;
    }

    public static OAuthRejectedException invalidClient(String reason) {
        return new OAuthRejectedException(401, "invalid_client", reason);
    }

    public static OAuthRejectedException invalidRequest(String reason) {
        return new OAuthRejectedException(400, "invalid_request", reason);
    }

    /** A body that is not of the media type the endpoint reads: 415, with the OAuth code {@code invalid_request}. */
    public static OAuthRejectedException unsupportedMediaType(String reason) {
        return new OAuthRejectedException(415, "invalid_request", reason);
    }

    public String error() {
        return error;
    }
}
