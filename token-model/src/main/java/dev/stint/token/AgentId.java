package dev.stint.token;

/** The identifier of a registered agent; it is the {@code sub} of its tokens. */
public record AgentId(String value) {

    public AgentId {
        Identifier.require(value, "agent_id");
    }

    @Override
    public String toString() {
        return value;
    }
}
