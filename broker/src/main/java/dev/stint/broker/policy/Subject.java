package dev.stint.broker.policy;

import dev.stint.token.AgentId;
import dev.stint.token.Tier;
import java.util.List;
import java.util.Objects;

/**
 * Who a policy decision is about, as the policy needs to know it: the agent's id (grants name it,
 * directly or through a group), the tiers it is registered for, and its state.
 *
 * @param state {@code "active"}, or the word that says why it is not ({@code "suspended"})
 */
public record Subject(AgentId id, List<Tier> tiers, String state) {

    public static final String ACTIVE = "active";

    public Subject {
        Objects.requireNonNull(id, "id");
        tiers = List.copyOf(tiers);
        Objects.requireNonNull(state, "state");
    }

    public boolean isActive() {
        return ACTIVE.equals(state);
    }
}
