package dev.stint.broker.tasks;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** The tasks' rows. The schema itself refuses to move a deadline or change tier, scopes or agent. */
public final class TaskRows {

    private static final String COLUMNS = "task_id, agent_id, tier, purpose, scopes, opened_at, deadline,"
            + " status, ended_at, end_reason, approved_by, break_glass";
    private static final String OPEN = "('active', 'pending_approval')";

    private final Tx tx;

    /**
     * The topic brokers hear whenever a task's status changes (waiting reads of it wake on it); the
     * key is {@link #changeKey}.
     */
    public static final String CHANGES = "task";

    /** The key of a task's changes: its agent and its id (task ids are unique per agent). */
    public static String changeKey(AgentId agent, TaskId id) {
        return agent.value() + "/" + id.value();
    }

    public TaskRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** The agent's task of that id; task ids are unique per agent only. */
    public Optional<Task> find(AgentId agent, TaskId id) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM tasks WHERE agent_id = ? AND task_id = ?" + tx.lockForUpdate(), ps -> {
            set(ps, 1, agent.value());
            set(ps, 2, id.value());
        }, TaskRows::row);
    }

    /**
     * {@code task} as it stands now: its status, end time and reason re-read, the rest kept, for
     * the schema refuses to change a task's deadline, tier, scopes or agent.
     *
     * @return empty when the task no longer exists
     */
    public Optional<Task> refresh(Task task) throws UnavailableException {
        return tx.one("SELECT status, ended_at, end_reason, approved_by, break_glass FROM tasks WHERE agent_id = ? AND task_id = ?" + tx.lockForUpdate(),
                ps -> {
                    set(ps, 1, task.agentId().value());
                    set(ps, 2, task.id().value());
                }, rs -> new Task(task.id(), task.agentId(), task.tier(), task.purpose(), task.scopes(),
                        task.openedAt(), task.deadline(), TaskStatus.fromWire(rs.getString(1)), instant(rs, 2),
                        rs.getString(3), approvers(rs.getString(4)), rs.getInt(5) == 1));
    }

    /** Every agent's task of that id (the admin's view), at most {@code limit}, oldest first. */
    public List<Task> withId(TaskId id, int limit) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM tasks WHERE task_id = ? ORDER BY opened_at LIMIT ?" + tx.lockForUpdate(),
                ps -> {
                    set(ps, 1, id.value());
                    ps.setInt(2, limit);
                }, TaskRows::row);
    }

    /** @return {@code false} when this agent has a task with that id already (nothing changes) */
    public boolean insert(Task task) throws UnavailableException {
        return tx.update("INSERT INTO tasks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (agent_id, task_id) DO NOTHING", ps -> {
                    set(ps, 1, task.id().value());
                    set(ps, 2, task.agentId().value());
                    set(ps, 3, task.tier().name());
                    set(ps, 4, task.purpose());
                    set(ps, 5, Scope.join(task.scopes()));
                    set(ps, 6, task.openedAt());
                    set(ps, 7, task.deadline().at());
                    set(ps, 8, task.status().wireName());
                    set(ps, 9, task.endedAt());
                    set(ps, 10, task.endReason());
                    set(ps, 11, approvers(task.approvedBy()));
                    ps.setInt(12, task.breakGlass() ? 1 : 0);
                }) == 1;
    }

    /**
     * Moves an active or pending task to a final status; the deadline is never touched.
     *
     * @return {@code false} when the task was not in a non-final status
     */
    public boolean finish(AgentId agent, TaskId id, TaskStatus status, Instant at, String reason)
            throws UnavailableException {
        if (!status.isFinal()) {
            throw new IllegalArgumentException("finish needs a final status");
        }
        boolean finished = tx.update("UPDATE tasks SET status = ?, ended_at = ?, end_reason = ?"
                + " WHERE agent_id = ? AND task_id = ? AND status IN " + OPEN, ps -> {
                    set(ps, 1, status.wireName());
                    set(ps, 2, at);
                    set(ps, 3, reason);
                    set(ps, 4, agent.value());
                    set(ps, 5, id.value());
                }) == 1;
        if (finished) {
            tx.announce(CHANGES, changeKey(agent, id));
        }
        return finished;
    }

    /**
     * Makes a task that was pending approval active, naming who approved it.
     *
     * @param breakGlass whether they approved it as break-glass through a freeze in force
     * @return {@code false} when it was no longer pending (ended meanwhile)
     */
    public boolean activate(AgentId agent, TaskId id, List<String> approvedBy, boolean breakGlass)
            throws UnavailableException {
        if (approvedBy.isEmpty()) {
            throw new IllegalArgumentException("an approved task names who approved it");
        }
        boolean activated = tx.update("UPDATE tasks SET status = 'active', approved_by = ?, break_glass = ?"
                + " WHERE agent_id = ? AND task_id = ? AND status = 'pending_approval'", ps -> {
                    set(ps, 1, approvers(approvedBy));
                    ps.setInt(2, breakGlass ? 1 : 0);
                    set(ps, 3, agent.value());
                    set(ps, 4, id.value());
                }) == 1;
        if (activated) {
            tx.announce(CHANGES, changeKey(agent, id));
        }
        return activated;
    }

    private static String approvers(List<String> approvedBy) {
        return approvedBy.isEmpty() ? null : String.join(",", approvedBy);
    }

    private static List<String> approvers(String stored) {
        return stored == null || stored.isEmpty() ? List.of() : List.of(stored.split(","));
    }

    /** Active and pending tasks whose deadline is at or before {@code now}, oldest deadline first. */
    public List<Task> openDueBy(Instant now, int limit) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM tasks WHERE status IN " + OPEN + " AND deadline <= ?"
                + " ORDER BY deadline LIMIT ?" + tx.lockForUpdate(), ps -> {
                    set(ps, 1, now);
                    ps.setInt(2, limit);
                }, TaskRows::row);
    }

    /**
     * Active tasks of one of {@code tiers}, their deadline still ahead of {@code now}, that hold a
     * scope whose action is one of {@code actions}; soonest deadline first. Pending tasks are not
     * among them. The action is matched in the stored scope text: it is the segment after a ':'
     * that ends a scope (before a space or at the end), and segments hold neither ':' nor ' ', so
     * the match is exact. Only the (status, deadline) index serves it: enough for a query that runs
     * while a freeze is in force and finds nothing once its tasks have ended.
     */
    public List<Task> activeHolding(Collection<Tier> tiers, Collection<String> actions, Instant now, int limit)
            throws UnavailableException {
        return activeHolding(tiers, actions, now, BrokenGlass.ANY, limit);
    }

    /** Which tasks a query takes, by whether people approved them as break-glass. */
    public enum BrokenGlass {
        ANY(""), NOT(" AND break_glass = 0"), ONLY(" AND break_glass = 1");

        private final String condition;

        BrokenGlass(String condition) {
            this.condition = condition;
        }
    }

    /** As above, of the tasks {@code which} takes. */
    public List<Task> activeHolding(Collection<Tier> tiers, Collection<String> actions, Instant now,
            BrokenGlass which, int limit) throws UnavailableException {
        if (tiers.isEmpty() || actions.isEmpty()) {
            return List.of();
        }
        List<String> tierNames = tiers.stream().map(Tier::name).sorted().toList();
        List<String> patterns = new ArrayList<>();
        for (String action : new TreeSet<>(actions)) {
            String escaped = action.replace("!", "!!").replace("%", "!%").replace("_", "!_");
            patterns.add("%:" + escaped);
            patterns.add("%:" + escaped + " %");
        }
        String sql = "SELECT " + COLUMNS + " FROM tasks WHERE status = 'active' AND deadline > ?"
                + which.condition
                + " AND tier IN (" + String.join(", ", Collections.nCopies(tierNames.size(), "?")) + ")"
                + " AND (" + String.join(" OR ", Collections.nCopies(patterns.size(), "scopes LIKE ? ESCAPE '!'")) + ")"
                + " ORDER BY deadline LIMIT ?" + tx.lockForUpdate();
        return tx.many(sql, ps -> {
            int index = 1;
            set(ps, index++, now);
            for (String tier : tierNames) {
                set(ps, index++, tier);
            }
            for (String pattern : patterns) {
                set(ps, index++, pattern);
            }
            ps.setInt(index, limit);
        }, TaskRows::row);
    }

    /** Tasks of that agent that are active or pending, oldest first. */
    public List<Task> openOf(AgentId agentId) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM tasks WHERE agent_id = ?"
                + " AND status IN " + OPEN + " ORDER BY opened_at" + tx.lockForUpdate(),
                ps -> set(ps, 1, agentId.value()), TaskRows::row);
    }

    private static Task row(ResultSet rs) throws SQLException {
        return new Task(new TaskId(rs.getString(1)), new AgentId(rs.getString(2)), new Tier(rs.getString(3)),
                rs.getString(4), Scope.parseList(rs.getString(5)), instant(rs, 6), new TaskDeadline(instant(rs, 7)),
                TaskStatus.fromWire(rs.getString(8)), instant(rs, 9), rs.getString(10), approvers(rs.getString(11)),
                rs.getInt(12) == 1);
    }
}
