package dev.stint.sdk;

import java.util.Objects;

/**
 * The broker understood the request and refused it: bad input (400), bad agent credentials
 * (401), policy denial (403), unknown task (404), conflict (409). Retrying the same request will
 * not help. Contrast {@link BrokerUnavailableException}: the broker could not answer properly.
 *
 * <p>The message reads "&lt;what&gt; rejected: &lt;detail&gt; (HTTP &lt;status&gt;,
 * &lt;type&gt;)" and never contains a token or key.
 *
 * <p>One subtype may also come from this SDK itself: a {@link TaskNotActiveException} whose
 * {@link TaskNotActiveException#refusedByClient()} is true (the session was ended, its deadline
 * passed, or the task was not active when the session would have started). No HTTP exchange took
 * place then, and its message reads "refused by the Stint client: &lt;detail&gt;".
 */
public class BrokerRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String problemType;
    private final String detail;

    /**
     * @param what the request that was refused, e.g. "task token request for task tsk_1"
     * @param status the HTTP status of the answer
     * @param problemType the problem {@code type} URI, {@code about:blank} when the broker gave none
     * @param detail the broker's reason, readable by a human
     */
    public BrokerRejectedException(String what, int status, String problemType, String detail) {
        this(status, problemType, detail, what + " rejected: " + detail);
    }

    /** For subclasses that phrase their own message; the status and type are appended to it. */
    protected BrokerRejectedException(int status, String problemType, String detail, String message) {
        super(message + " (HTTP " + status + ", " + problemType + ")");
        this.status = status;
        this.problemType = Objects.requireNonNull(problemType, "problemType");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /**
     * For a refusal this SDK makes on its own, without asking the broker. The message reads
     * "refused by the Stint client: &lt;detail&gt;" and names no HTTP status, since there was no
     * HTTP exchange; {@code status} and {@code problemType} are what the broker would answer, for
     * callers that branch on them.
     */
    BrokerRejectedException(int status, String problemType, String detail) {
        super("refused by the Stint client: " + Objects.requireNonNull(detail, "detail"));
        this.status = status;
        this.problemType = Objects.requireNonNull(problemType, "problemType");
        this.detail = detail;
    }

    /**
     * The HTTP status the broker answered with (400-499); for a refusal by this SDK, the status
     * the broker would answer.
     */
    public int status() {
        return status;
    }

    /** The stable problem {@code type}, e.g. {@code urn:stint:problem:task-not-active}; never null. */
    public String problemType() {
        return problemType;
    }

    /** The broker's reason, or this SDK's for a refusal of its own; never null. */
    public String detail() {
        return detail;
    }
}
