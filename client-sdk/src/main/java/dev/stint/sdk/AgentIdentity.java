package dev.stint.sdk;

import dev.stint.token.AgentId;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent a client acts as, against which every task answer is checked. A key-based client
 * knows it up front. A client that authenticates by token exchange does not: the broker's
 * federation rules decide, and task paths never name the agent, so the first task answer names
 * it and every later answer must name the same agent. Thread safe.
 */
final class AgentIdentity {

    private final boolean fixed;
    private final AtomicReference<AgentId> known;

    private AgentIdentity(AgentId agentId, boolean fixed) {
        this.fixed = fixed;
        this.known = new AtomicReference<>(agentId);
    }

    static AgentIdentity of(AgentId agentId) {
        return new AgentIdentity(Objects.requireNonNull(agentId, "agentId"), true);
    }

    static AgentIdentity learnedFromAnswers() {
        return new AgentIdentity(null, false);
    }

    /** The agent, once known. */
    Optional<AgentId> known() {
        return Optional.ofNullable(known.get());
    }

    /** Accepts an answer about {@code answered}'s task, or calls it garbage. */
    void check(AgentId answered, String what) throws BrokerUnavailableException {
        Objects.requireNonNull(answered, "answered");
        if (known.compareAndSet(null, answered) || known.get().equals(answered)) {
            return;
        }
        throw Json.garbage(what, "the task belongs to agent " + answered + ", not " + known.get()
                + (fixed ? "" : " (the agent the broker's earlier answers named)"));
    }
}
