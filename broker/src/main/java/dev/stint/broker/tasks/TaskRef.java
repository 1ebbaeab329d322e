package dev.stint.broker.tasks;

import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import java.util.Objects;

/**
 * A task as a request names it. Task ids are unique per agent: an agent always means its own
 * task; the admin may name the agent ({@code ?agent_id=}) and must when several agents have a
 * task of that id.
 *
 * @param agent the owning agent; {@code null} when the request does not say
 */
public record TaskRef(TaskId id, AgentId agent) {

    public TaskRef {
        Objects.requireNonNull(id, "id");
    }

    public static TaskRef of(TaskId id) {
        return new TaskRef(id, null);
    }
}
