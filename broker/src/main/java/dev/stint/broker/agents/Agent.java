package dev.stint.broker.agents;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.policy.Subject;
import dev.stint.token.AgentId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A registered non-human identity: who owns it, what it is for, where it may work and the public
 * keys it proves itself with ({@code private_key_jwt}).
 */
public record Agent(
        AgentId id,
        String owner,
        String purpose,
        List<Tier> tiers,
        JWKSet jwks,
        AgentStatus status,
        Instant createdAt,
        Instant updatedAt) {

    public Agent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(purpose, "purpose");
        tiers = List.copyOf(tiers);
        Objects.requireNonNull(jwks, "jwks");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public boolean isActive() {
        return status == AgentStatus.ACTIVE;
    }

    /** The agent as the policy sees it. */
    public Subject subject() {
        return new Subject(id, tiers, status.wireName());
    }

    public Agent withStatus(AgentStatus newStatus, Instant at) {
        return new Agent(id, owner, purpose, tiers, jwks, newStatus, createdAt, at);
    }
}
