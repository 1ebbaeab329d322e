package dev.stint.broker.approvals;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A passkey ceremony under way for one person to approve one request: the nonce that, with the
 * request's digest, makes the challenge their passkey signs. Spent by the first answer.
 */
public record ApprovalChallenge(String nonce, String approvalId, String personId, Instant expiresAt) {

    /** Long enough to read the request and touch the authenticator, short enough to go stale. */
    public static final Duration LIFE = Duration.ofMinutes(5);

    public ApprovalChallenge {
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
