package dev.stint.broker.notify;

import dev.stint.broker.approvals.ApprovalStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * One notice owed to one webhook: that an approval reached {@code status} ("pending" is its
 * request). Posted at least once; {@link #deliveryId()} is sent along so a receiver can drop
 * repeats.
 *
 * @param nextAttemptAt when it is (or was) due; {@code null} once delivered
 * @param deliveredAt {@code null} until a 2xx answer
 * @param lastError why the last attempt failed, in our words (never a body or a secret); {@code null} if none
 */
record Delivery(String deliveryId, String approvalId, ApprovalStatus status, String webhookId, int attempts,
        Instant nextAttemptAt, Instant deliveredAt, String lastError) {

    /** The longest {@link #lastError} kept. */
    static final int MAX_ERROR = 200;

    Delivery {
        Objects.requireNonNull(deliveryId, "deliveryId");
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(webhookId, "webhookId");
    }
}
