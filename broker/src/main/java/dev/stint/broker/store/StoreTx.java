package dev.stint.broker.store;

import dev.stint.broker.UnavailableException;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.keys.StoredKey;
import dev.stint.broker.oauth.IssuedToken;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The operations of one transaction. Every method may throw {@link UnavailableException} when
 * the store fails; none returns {@code null}.
 */
public interface StoreTx {

    // agents

    Optional<Agent> agent(AgentId id) throws UnavailableException;

    /** @return {@code false} when an agent with that id exists already (nothing changes) */
    boolean insertAgent(Agent agent) throws UnavailableException;

    /** @return {@code false} when no such agent exists */
    boolean updateAgentStatus(AgentId id, AgentStatus status, Instant at) throws UnavailableException;

    // tasks

    Optional<Task> task(TaskId id) throws UnavailableException;

    /** @return {@code false} when a task with that id exists already (nothing changes) */
    boolean insertTask(Task task) throws UnavailableException;

    /**
     * Moves an active or pending task to a final status; the deadline is never touched.
     *
     * @return {@code false} when the task was not in a non-final status
     */
    boolean finishTask(TaskId id, TaskStatus status, Instant at, String reason) throws UnavailableException;

    /** Active tasks whose deadline is at or before {@code now}, oldest deadline first. */
    List<Task> activeTasksDueBy(Instant now, int limit) throws UnavailableException;

    /** Tasks of that agent that are active or pending. */
    List<Task> openTasksOf(AgentId agentId) throws UnavailableException;

    // issued tokens

    void insertToken(IssuedToken token) throws UnavailableException;

    Optional<IssuedToken> tokenByJti(String jti) throws UnavailableException;

    Optional<IssuedToken> tokenByHash(String tokenHash) throws UnavailableException;

    /** @return whether the token was active and is now revoked */
    boolean revokeToken(String jti, Instant at, String reason) throws UnavailableException;

    /** Revokes every unrevoked token of a task; returns how many. */
    int revokeTokensOfTask(TaskId taskId, Instant at, String reason) throws UnavailableException;

    /** Revokes every unrevoked token of an agent (agent and task tokens); returns how many. */
    int revokeTokensOfAgent(AgentId agentId, Instant at, String reason) throws UnavailableException;

    /** Revoked tokens that have not expired yet: the revocation list. */
    List<IssuedToken> revokedUnexpired(Instant now, int limit) throws UnavailableException;

    // client assertions

    /**
     * Remembers an assertion's jti until it expires.
     *
     * @return {@code false} when the jti was seen before: a replay
     */
    boolean recordAssertion(AgentId agentId, String jti, Instant expiresAt) throws UnavailableException;

    /** Forgets used assertions and token records whose expiry is before {@code now}. */
    int purgeExpired(Instant now) throws UnavailableException;

    // signing keys

    List<StoredKey> keys() throws UnavailableException;

    void insertKey(StoredKey key) throws UnavailableException;

    boolean retireKey(String kid, Instant retiredAt, Instant verifyUntil) throws UnavailableException;

    // admin credential

    Optional<String> adminTokenHash() throws UnavailableException;

    void insertAdminTokenHash(String hash, Instant at) throws UnavailableException;

    // audit

    /** Appends to the hash chain; the record commits or rolls back with the rest of the unit. */
    AuditRecord appendAudit(AuditEvent event, Instant at) throws UnavailableException;

    List<AuditRecord> audit(AuditQuery query) throws UnavailableException;

    /** The latest record, if any. */
    Optional<AuditRecord> lastAudit() throws UnavailableException;
}
