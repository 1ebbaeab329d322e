package dev.stint.broker.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The body of {@code POST /v1/tasks}.
 *
 * @param taskId optional; generated when absent
 * @param ttlSeconds optional; the tier's default when absent, capped at its max_ttl
 */
public record OpenTaskRequest(
        @JsonProperty("task_id") String taskId,
        @JsonProperty("tier") String tier,
        @JsonProperty("purpose") String purpose,
        @JsonProperty("scopes") List<String> scopes,
        @JsonProperty("ttl_seconds") Long ttlSeconds) {
}
