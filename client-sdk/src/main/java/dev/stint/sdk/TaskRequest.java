package dev.stint.sdk;

import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an agent asks for when it opens a task.
 *
 * @param taskId the id to use, or null to let the broker choose one
 * @param tier the one tier the task works in
 * @param purpose why the task exists, in words a human reviewer understands; not blank
 * @param scopes at least one scope; kept sorted and without repeats
 * @param ttl the requested lifetime in whole seconds, or null for the tier's default; the broker
 *     caps it at the tier's maximum
 */
public record TaskRequest(TaskId taskId, Tier tier, String purpose, List<Scope> scopes, Duration ttl) {

    public TaskRequest {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(scopes, "scopes");
        if (purpose.isBlank()) {
            throw new IllegalArgumentException("a task needs a purpose");
        }
        scopes = Scope.canonical(scopes);
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a task needs at least one scope");
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.getNano() != 0)) {
            throw new IllegalArgumentException("ttl must be a positive whole number of seconds");
        }
    }

    /** A request with a broker-chosen id and the tier's default lifetime. */
    public static TaskRequest of(Tier tier, String purpose, List<Scope> scopes) {
        return new TaskRequest(null, tier, purpose, scopes, null);
    }

    public TaskRequest withTaskId(TaskId id) {
        return new TaskRequest(Objects.requireNonNull(id, "id"), tier, purpose, scopes, ttl);
    }

    public TaskRequest withTtl(Duration lifetime) {
        return new TaskRequest(taskId, tier, purpose, scopes, Objects.requireNonNull(lifetime, "lifetime"));
    }
}
