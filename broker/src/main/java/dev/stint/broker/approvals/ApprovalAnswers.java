package dev.stint.broker.approvals;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stint.broker.people.WebAuthnAnswers;

/** What an approver sends, read strictly like every body. */
public final class ApprovalAnswers {

    /** The longest comment a verdict may carry; it lands in the audit log. */
    static final int MAX_COMMENT = 1000;

    private ApprovalAnswers() {
    }

    /**
     * {@code POST /v1/approvals/{id}/approve}: the passkey assertion over the challenge that
     * {@code /options} gave ({@code ceremony_id} names it). A person signed in by single sign-on
     * without a passkey sends only the comment.
     */
    public record Approve(
            @JsonProperty("ceremony_id") String ceremonyId,
            @JsonProperty("credential") WebAuthnAnswers.Assertion credential,
            @JsonProperty("comment") String comment) {
    }

    /** {@code POST /v1/approvals/{id}/deny}. */
    public record Deny(@JsonProperty("comment") String comment) {
    }
}
