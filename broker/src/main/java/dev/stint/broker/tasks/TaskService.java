package dev.stint.broker.tasks;

import dev.stint.broker.auth.Caller;
import dev.stint.token.TaskId;
import io.vertx.core.Future;

/**
 * What can be done with tasks. Every decision is on the audit log before its future completes.
 * Futures fail with {@link dev.stint.broker.http.RejectedException} (the request is wrong or denied)
 * or {@link dev.stint.broker.http.UnavailableException} (something broke; nothing was issued).
 * There is deliberately no way to renew or extend a task.
 */
public interface TaskService {

    /**
     * Opens a task for the calling agent, if the policy allows; the deadline is fixed here. A
     * requested lifetime above the tier's maximum is capped, and the answer says so.
     */
    Future<OpenedTask> open(Caller.AgentCaller caller, OpenTaskRequest request);

    /** The task as of now (its owner or the admin); an agent only ever sees its own tasks. */
    Future<Task> get(Caller caller, TaskRef ref);

    /** Ends the task and revokes everything issued for it. Idempotent. */
    Future<Task> end(Caller caller, TaskRef ref);

    /**
     * The caller's task, if credentials may be issued for it now, and until when they may be
     * valid: its deadline, cut at the start of any freeze on its actions. Refused as a mint would
     * be (409 when the task is not active, 403 when the policy no longer allows it).
     */
    Future<IssuanceWindow> issuable(Caller.AgentCaller caller, TaskId id);

    /** A task credentials may be issued for, and the last instant they may be valid. */
    record IssuanceWindow(Task task, java.time.Instant until) {
    }

    /** Mints a task token whose {@code exp} is never after the task's deadline. */
    Future<MintedToken> mint(Caller.AgentCaller caller, TaskId id, MintRequest request);
}
