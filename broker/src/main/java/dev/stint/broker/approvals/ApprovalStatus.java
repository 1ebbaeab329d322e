package dev.stint.broker.approvals;

import java.util.Locale;

/** Where an approval request stands. Every status but {@code PENDING} is final. */
public enum ApprovalStatus {
    PENDING, APPROVED, DENIED, EXPIRED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ApprovalStatus fromWire(String text) {
        for (ApprovalStatus status : values()) {
            if (status.wireName().equals(text)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown approval status " + text);
    }

    public boolean isFinal() {
        return this != PENDING;
    }
}
