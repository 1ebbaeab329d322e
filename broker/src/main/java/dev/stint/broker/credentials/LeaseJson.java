package dev.stint.broker.credentials;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A lease as the API shows it: where it stands and why, never a password (none is stored). */
final class LeaseJson {

    private LeaseJson() {
    }

    static Map<String, Object> of(Lease lease) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lease_id", lease.leaseId());
        body.put("agent_id", lease.agentId().value());
        body.put("task_id", lease.taskId().value());
        body.put("role", lease.role());
        body.put("tier", lease.tier().name());
        body.put("connection", lease.connection());
        body.put("provider", lease.provider().wireName());
        if (lease.username() != null) {
            body.put("username", lease.username());
        }
        body.put("state", lease.state().wireName());
        body.put("created_at", lease.createdAt().toString());
        body.put("expires_at", lease.expiresAt().toString());
        if (lease.revokedAt() != null) {
            body.put("revoked_at", lease.revokedAt().toString());
        }
        if (lease.attempts() > 0) {
            body.put("attempts", lease.attempts());
        }
        if (lease.lastError() != null) {
            body.put("last_error", lease.lastError());
        }
        if (lease.state().owesRevocation() && lease.nextAttemptAt() != null) {
            body.put("next_attempt_at", lease.nextAttemptAt().toString());
        }
        return body;
    }

    static Map<String, Object> list(List<Lease> leases) {
        return Map.of("leases", leases.stream().map(LeaseJson::of).toList());
    }
}
