package dev.stint.broker.http;

import java.util.Objects;

/**
 * The request is wrong: malformed, unauthenticated, denied by policy, about something absent or
 * in the wrong state. Carries the HTTP status, a stable problem type and a reason a human can act
 * on; the same reason goes into the audit record and the problem+json {@code detail}.
 */
public class RejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final ProblemType type;

    public RejectedException(int status, ProblemType type, String reason) {
        super(Objects.requireNonNull(reason, "reason"), null, false, false);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("a rejection is a 4xx status");
        }
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
    }

    public static RejectedException badRequest(String reason) {
        return new RejectedException(400, ProblemType.INVALID_REQUEST, reason);
    }

    public static RejectedException unauthorized(String reason) {
        return new RejectedException(401, ProblemType.UNAUTHORIZED, reason);
    }

    public static RejectedException forbidden(String reason) {
        return new RejectedException(403, ProblemType.FORBIDDEN, reason);
    }

    public static RejectedException notFound(ProblemType type, String reason) {
        return new RejectedException(404, type, reason);
    }

    public int status() {
        return status;
    }

    public ProblemType type() {
        return type;
    }

    public String reason() {
        return getMessage();
    }
}
