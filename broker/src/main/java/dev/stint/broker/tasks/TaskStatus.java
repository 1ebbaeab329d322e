package dev.stint.broker.tasks;

import java.util.Locale;

/** Where a task is in its life. Only {@link #ACTIVE} tasks get credentials. */
public enum TaskStatus {
    PENDING_APPROVAL, ACTIVE, ENDED, EXPIRED, DENIED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    public boolean isFinal() {
        return this == ENDED || this == EXPIRED || this == DENIED;
    }
}
