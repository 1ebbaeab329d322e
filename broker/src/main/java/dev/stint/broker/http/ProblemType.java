package dev.stint.broker.http;

/**
 * The stable problem types of the API (RFC 9457 {@code type}). Clients branch on these, so
 * their URNs never change; add new ones rather than renaming.
 */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", "Invalid request"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type"),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large"),
    URI_TOO_LONG("uri-too-long", "Request line too long"),
    HEADERS_TOO_LARGE("headers-too-large", "Request headers too large"),
    UNAUTHORIZED("unauthorized", "Authentication required"),
    FORBIDDEN("forbidden", "Forbidden"),
    POLICY_DENIED("policy-denied", "Denied by policy"),
    NOT_FOUND("not-found", "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed"),
    AGENT_NOT_FOUND("agent-not-found", "Agent not found"),
    AGENT_EXISTS("agent-exists", "Agent already registered"),
    AGENT_NOT_ACTIVE("agent-not-active", "Agent is not active"),
    TASK_NOT_FOUND("task-not-found", "Task not found"),
    TASK_EXISTS("task-exists", "Task already exists"),
    TASK_NOT_ACTIVE("task-not-active", "Task is not active"),
    KEY_ROTATION_TOO_SOON("key-rotation-too-soon", "Key rotation too soon"),
    PERSON_NOT_FOUND("person-not-found", "Person not found"),
    PERSON_EXISTS("person-exists", "Person already registered"),
    ENROLLMENT_LINK_INVALID("enrollment-link-invalid", "Enrollment link not valid"),
    PASSKEY_REJECTED("passkey-rejected", "Passkey rejected"),
    CSRF_REJECTED("csrf-rejected", "Cross-site request refused"),
    APPROVAL_NOT_FOUND("approval-not-found", "Approval request not found"),
    APPROVAL_CLOSED("approval-closed", "Approval request already decided"),
    REAUTHENTICATION_REQUIRED("reauthentication-required", "Sign in again"),
    UNAVAILABLE("unavailable", "Service unavailable"),
    INTERNAL("internal", "Internal error");

    private final String slug;
    private final String title;

    ProblemType(String slug, String title) {
        this.slug = slug;
        this.title = title;
    }

    public String uri() {
        return "urn:stint:problem:" + slug;
    }

    public String title() {
        return title;
    }
}
