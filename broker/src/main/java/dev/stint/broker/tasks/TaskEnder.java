package dev.stint.broker.tasks;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place a task ends, whichever path ends it: its owner or the admin ({@code end}), the
 * kill switch (agent suspension), its deadline (the expiry sweep) and a freeze in force on one of
 * its actions (the freeze sweep).
 * Inside the caller's store unit it moves the task to its final status, revokes its tokens and
 * whatever else was issued for it ({@link TaskCredentials}: database leases plug in here), and
 * appends the audit record that names the path, so that all of it commits or none does.
 */
public final class TaskEnder {

    /** What was issued for a task besides its tokens, and dies with it. */
    @FunctionalInterface
    public interface TaskCredentials {

        /**
         * Revokes (or marks for revocation) what was issued for {@code task}, inside the unit that
         * ends it. Never calls a backend over the network: that is a worker's job after commit.
         *
         * @return what was done, for the audit reason ({@code "2 lease(s) revoking"}); empty for nothing
         */
        String revokeAll(Tx tx, Task task, Instant at, String reason) throws UnavailableException;
    }

    /**
     * Why a task ends: the status it ends in, who ended it, the audit action, and the reason a
     * human reads in the audit log and in the task's {@code end_reason}.
     */
    public record Ending(TaskStatus status, String actor, String action, String reason) {

        public Ending {
            if (!status.isFinal()) {
                throw new IllegalArgumentException("a task ends in a final status");
            }
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(reason, "reason");
        }

        /** Its owner or the admin asked ({@code POST /v1/tasks/{id}/end}). */
        public static Ending byCaller(String actor) {
            return new Ending(TaskStatus.ENDED, actor, "task.end", "ended by " + actor);
        }

        /** The kill switch: its agent was suspended. */
        public static Ending agentSuspended(AgentId agent, String actor) {
            return new Ending(TaskStatus.ENDED, actor, "task.end", "agent " + agent + " suspended by " + actor);
        }

        /** Its deadline passed; {@code actor} is whoever noticed first (the sweep, or an end request). */
        public static Ending deadlinePassed(Task task, String actor, String action) {
            return new Ending(TaskStatus.EXPIRED, actor, action, "deadline " + task.deadline().at() + " passed");
        }

        /**
         * A freeze in force denies some of its actions in its tier, noticed by the sweep.
         *
         * @param freezeReason the policy's reason for the freeze
         * @param frozen the task's actions it denies
         */
        public static Ending frozen(String freezeReason, Tier tier, List<String> frozen) {
            return new Ending(TaskStatus.ENDED, "system", "task.freeze",
                    "ended by freeze \"" + freezeReason + "\" (" + tier + ": " + String.join(", ", frozen) + ")");
        }
    }

    private final List<TaskCredentials> credentials;

    /** @param credentials what else is revoked with a task's tokens (leases); may be empty */
    public TaskEnder(List<TaskCredentials> credentials) {
        this.credentials = List.copyOf(credentials);
    }

    /**
     * Ends {@code task} as of {@code at}, if it is still open.
     *
     * @return {@code false} when it had already ended: nothing changes and nothing is recorded
     */
    public boolean end(Tx tx, Task task, Ending ending, Instant at) throws UnavailableException {
        if (!new TaskRows(tx).finish(task.agentId(), task.id(), ending.status(), at, ending.reason())) {
            return false;
        }
        List<String> revoked = new ArrayList<>();
        revoked.add(new TokenRows(tx).revokeOfTask(task.agentId(), task.id(), at, ending.reason())
                + " token(s) revoked");
        for (TaskCredentials more : credentials) {
            String done = more.revokeAll(tx, task, at, ending.reason());
            if (!done.isEmpty()) {
                revoked.add(done);
            }
        }
        new AuditRows(tx).append(new AuditEvent(ending.actor(), ending.action(), AuditEvent.Decision.ALLOW,
                task.agentId().value(), task.id().value(), task.tier().name(), Scope.join(task.scopes()),
                "task " + ending.status().wireName() + " (" + ending.reason() + "); " + String.join(", ", revoked)),
                at);
        return true;
    }

    /**
     * Ends the task {@code id} of {@code agent} as of {@code at}, if it exists and is still open.
     *
     * @return {@code false} when there is no such task or it had already ended
     */
    public boolean end(Tx tx, AgentId agent, TaskId id, Ending ending, Instant at) throws UnavailableException {
        Optional<Task> task = new TaskRows(tx).find(agent, id);
        return task.isPresent() && end(tx, task.get(), ending, at);
    }

    /**
     * Ends every open task of {@code agent} (the kill switch).
     *
     * @return how many tasks ended
     */
    public int endAllOf(Tx tx, AgentId agent, String actor, Instant at) throws UnavailableException {
        int ended = 0;
        for (Task task : new TaskRows(tx).openOf(agent)) {
            if (end(tx, task, Ending.agentSuspended(agent, actor), at)) {
                ended++;
            }
        }
        return ended;
    }
}
