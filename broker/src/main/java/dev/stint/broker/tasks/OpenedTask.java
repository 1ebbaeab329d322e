package dev.stint.broker.tasks;

import java.util.Objects;

/**
 * A task just opened, and whether its lifetime was cut short of what was asked.
 *
 * @param ttlCapped the requested {@code ttl_seconds} was above the tier's {@code max_ttl}, so the
 *     deadline is the tier's maximum rather than what was asked
 * @param approvalId the approval request of a task opened {@code pending_approval}; {@code null} otherwise
 */
public record OpenedTask(Task task, boolean ttlCapped, String approvalId) {

    public OpenedTask {
        Objects.requireNonNull(task, "task");
    }

    public OpenedTask(Task task, boolean ttlCapped) {
        this(task, ttlCapped, null);
    }
}
