package dev.stint.cli;

import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The commands for scripts: each makes its requests and prints the answer as one JSON object on
 * stdout. Sessions opened here to reach a task are left as they are: only {@code task end} ends
 * a task.
 */
final class ScriptCommands {

    static final String DEFAULT_PURPOSE = "stint task open";

    private final StintClient client;
    private final Console console;
    private final Clock clock;

    ScriptCommands(StintClient client, Console console, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.console = Objects.requireNonNull(console, "console");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The agent token, or with {@code task} a token of that task. */
    int token(TaskId task) throws BrokerRejectedException, BrokerUnavailableException {
        if (task == null) {
            JsonOutput.print(console.out(), JsonOutput.agentToken(client.agentToken(), clock.instant()));
        } else {
            TaskSession session = client.resumeTask(task);
            JsonOutput.print(console.out(), JsonOutput.taskToken(session.token(), clock.instant()));
        }
        return ExitCodes.OK;
    }

    int databaseCredentials(TaskId task, String role) throws BrokerRejectedException, BrokerUnavailableException {
        TaskSession session = client.resumeTask(task);
        JsonOutput.print(console.out(), JsonOutput.databaseCredentials(session.databaseCredentials(role)));
        return ExitCodes.OK;
    }

    int open(Tier tier, List<Scope> scopes, Duration ttl, String purpose)
            throws CliFailure, BrokerRejectedException, BrokerUnavailableException {
        TaskRequest request = ExecCommand.taskRequest(tier, scopes, ttl, purpose != null ? purpose : DEFAULT_PURPOSE);
        try {
            JsonOutput.print(console.out(), JsonOutput.task(client.openTask(request).info()));
        } catch (TaskNotActiveException e) {
            if (!e.refusedByClient()) {
                throw e;
            }
            // Opened, but not active (it awaits approval): say so, and print it as it stands.
            console.say(e.detail());
            JsonOutput.print(console.out(), JsonOutput.task(client.task(e.taskId())));
        }
        return ExitCodes.OK;
    }

    int show(TaskId task) throws BrokerRejectedException, BrokerUnavailableException {
        JsonOutput.print(console.out(), JsonOutput.task(client.task(task)));
        return ExitCodes.OK;
    }

    /** Ends the task (a task already over counts as ended) and prints it as it stands then. */
    int end(TaskId task) throws BrokerRejectedException, BrokerUnavailableException {
        try {
            client.resumeTask(task).end();
        } catch (TaskNotActiveException e) {
            if (!e.refusedByClient()) {
                throw e;
            }
        }
        JsonOutput.print(console.out(), JsonOutput.task(client.task(task)));
        return ExitCodes.OK;
    }
}
