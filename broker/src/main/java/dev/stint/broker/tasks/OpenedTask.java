package dev.stint.broker.tasks;

import java.util.Objects;

/**
 * A task just opened, and whether its lifetime was cut short of what was asked.
 *
 * @param ttlCapped the requested {@code ttl_seconds} was above the tier's {@code max_ttl}, so the
 *     deadline is the tier's maximum rather than what was asked
 */
public record OpenedTask(Task task, boolean ttlCapped) {

    public OpenedTask {
        Objects.requireNonNull(task, "task");
    }
}
