package dev.stint.sdk;

import java.util.Locale;
import java.util.Optional;

/** The lifecycle state of a task as the broker reports it. Only {@link #ACTIVE} yields tokens. */
public enum TaskStatus {
    PENDING_APPROVAL,
    ACTIVE,
    ENDED,
    EXPIRED,
    DENIED;

    /** The name used on the wire, e.g. {@code pending_approval}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; empty for anything unknown. */
    public static Optional<TaskStatus> fromWire(String name) {
        for (TaskStatus status : values()) {
            if (status.wireName().equals(name)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
