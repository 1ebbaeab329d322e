package dev.stint.cli;

import dev.stint.cli.exec.ChildEnvironment;
import dev.stint.cli.exec.ChildProcess;
import dev.stint.cli.exec.DatabaseUrl;
import dev.stint.cli.exec.SignalForwarding;
import dev.stint.cli.exec.TokenFile;
import dev.stint.cli.exec.TokenFileRefresher;
import dev.stint.cli.exec.WorkflowCommands;
import dev.stint.sdk.AgentToken;
import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.DatabaseCredentials;
import dev.stint.sdk.LeaseInfo;
import dev.stint.sdk.LeaseState;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.sdk.TaskToken;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * {@code stint exec}: opens a task, gets what it asked for, runs the command with the task's
 * credentials in the command's environment only, and ends the task when the command exits,
 * whatever way it exits; then exits with the command's code. Signals are passed on to the
 * command; the deadline stops it.
 */
final class ExecCommand {

    /** Between SIGTERM and SIGKILL when the deadline stops the command. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /**
     * With an agent token that cannot be renewed, the task's deadline is kept this far before the
     * token's last use: time to stop the command and end the task with that token.
     */
    static final Duration END_ALLOWANCE = STOP_GRACE.plus(AgentClient.REQUEST_TIMEOUT).plusSeconds(5);
    /** A task shorter than this is not worth opening. */
    static final Duration SHORTEST_TASK = Duration.ofSeconds(30);
    /** How long to wait for the broker to confirm the database login is gone after the end. */
    static final Duration REVOCATION_WAIT = Duration.ofSeconds(10);

    /**
     * Set by {@code ./stint} on the run that records the class-data sharing archive: a file to
     * create once this exec has run through, so that the launcher keeps the archive it recorded.
     */
    static final String ARCHIVE_RECORDED = "stint.cds.recorded";

    /** What to run, and what the task asks for. */
    record Request(Tier tier, List<Scope> scopes, String dbRole, Duration ttl, String purpose, List<String> command) {
        Request {
            Objects.requireNonNull(tier, "tier");
            scopes = List.copyOf(scopes);
            command = List.copyOf(command);
        }
    }

    private final Console console;
    private final Map<String, String> env;
    private final Clock clock;
    private final Path tempRoot;

    ExecCommand(Console console, Map<String, String> env, Clock clock, Path tempRoot) {
        this.console = Objects.requireNonNull(console, "console");
        this.env = Objects.requireNonNull(env, "env");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tempRoot = Objects.requireNonNull(tempRoot, "tempRoot");
    }

    int run(AgentClient agent, Request request)
            throws CliFailure, BrokerRejectedException, BrokerUnavailableException, InterruptedException {
        // First of all: from here on INT and TERM never end stint with a task left open.
        SignalForwarding signals = SignalForwarding.install();
        Duration ttl = request.ttl();
        if (!agent.renewsAuthentication()) {
            ttl = withinOneAgentToken(agent.client().agentToken(), ttl);
        }
        String purpose = request.purpose() != null ? request.purpose() : defaultPurpose(request.command(), env);
        if (signals.pending() != null) {
            console.say("SIG" + signals.pending() + " came before the task was opened; nothing was run");
            return SignalForwarding.exitCodeFor(signals.pending());
        }
        TaskSession session;
        try {
            session = agent.client().openTask(taskRequest(request.tier(), request.scopes(), ttl, purpose));
        } catch (TaskNotActiveException e) {
            if (e.refusedByClient()) {
                throw new CliFailure(ExitCodes.REFUSED, "task " + e.taskId() + " was opened but is not active ("
                        + e.detail() + "); stint exec runs only with an active task");
            }
            throw e;
        }
        boolean commandRan = false;
        int status;
        try {
            status = runCommand(session, request, signals);
            commandRan = true;
        } finally {
            if (!commandRan) {
                end(session, request, null); // reports its own failure; the cause goes on up
            }
        }
        int exitCode = end(session, request, status);
        markArchiveRecorded();
        return exitCode;
    }

    /** Tells the launcher this run loaded every class an exec needs (see {@link #ARCHIVE_RECORDED}). */
    private static void markArchiveRecorded() {
        String marker = System.getProperty(ARCHIVE_RECORDED);
        if (marker != null) {
            try {
                Files.createFile(Path.of(marker));
            } catch (IOException e) {
                // Only an archive is lost: the next exec records one again.
            }
        }
    }

    private int runCommand(TaskSession session, Request request, SignalForwarding signals)
            throws BrokerRejectedException, BrokerUnavailableException, CliFailure, InterruptedException {
        Optional<DatabaseCredentials> login = request.dbRole() == null ? Optional.empty()
                : Optional.of(session.databaseCredentials(request.dbRole()));
        TaskToken token = session.token();
        Instant deadline = session.deadline().at();
        TokenFile file;
        try {
            file = TokenFile.create(tempRoot, token.value());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.SOFTWARE, "cannot create the token file under " + tempRoot + ": " + e);
        }
        TokenFileRefresher refresher = new TokenFileRefresher(session::token, file, token, deadline, clock,
                console::say);
        try {
            Map<String, String> childEnv = ChildEnvironment.of(env, session.taskId().value(), deadline,
                    token.value(), file.path(), login);
            if (WorkflowCommands.underGithubActions(env)) {
                WorkflowCommands.addMasks(console.out(), secrets(token, login, childEnv));
            }
            Thread keeper = new Thread(refresher, "stint-token-file");
            keeper.setDaemon(true);
            keeper.start();
            console.say("task " + session.taskId() + " open in " + session.tier() + " until " + deadline + ": running "
                    + request.command().get(0) + " with " + variableNames(login.isPresent()));
            ChildProcess child = signals.startUnlessSignalled(() -> start(request.command(), childEnv));
            if (child == null) {
                console.say("SIG" + signals.pending() + " came before " + request.command().get(0)
                        + " started; it was not started");
                return SignalForwarding.exitCodeFor(signals.pending());
            }
            return waitForChild(child, session, deadline, request.command().get(0));
        } finally {
            refresher.close();
            try {
                file.close();
            } catch (IOException e) {
                console.say("could not remove the token file " + file.path() + ": " + e.getMessage());
            }
        }
    }

    private ChildProcess start(List<String> command, Map<String, String> childEnv) throws CliFailure {
        try {
            return ChildProcess.start(command, childEnv);
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            int code = why.contains("error=2,") ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_RUN;
            throw new CliFailure(code, "cannot run " + command.get(0) + ": "
                    + (code == ExitCodes.NOT_FOUND ? "command not found" : why));
        }
    }

    private int waitForChild(ChildProcess child, TaskSession session, Instant deadline, String name)
            throws InterruptedException {
        OptionalInt exited = child.waitUntil(deadline, clock);
        if (exited.isPresent()) {
            return exited.getAsInt();
        }
        console.say("task " + session.taskId() + " reached its deadline " + deadline + ": stopping " + name
                + " (SIGTERM, then SIGKILL after " + STOP_GRACE.toSeconds() + " s)");
        int code = child.stop(STOP_GRACE);
        console.say(name + " was stopped at the deadline (its exit code " + code + "); stint exits "
                + ExitCodes.DEADLINE);
        return ExitCodes.DEADLINE;
    }

    /**
     * Ends the task and, when it had a database login, waits until the broker confirms the login
     * gone. A task that could not be ended is reported, and turns a successful run into a failure:
     * its credentials stay valid until its deadline.
     *
     * @param status the exit code so far; null when the command did not run (the caller has a failure to report)
     */
    private Integer end(TaskSession session, Request request, Integer status) throws InterruptedException {
        try {
            session.end();
            if (request.dbRole() != null) {
                List<LeaseInfo> left = leasesNotYetRevoked(session);
                if (!left.isEmpty()) {
                    console.say("task " + session.taskId() + " ended, but the broker has not yet confirmed its"
                            + " database login gone (" + left.stream().map(l -> l.leaseId() + " " + l.state()
                                    .wireName()).collect(Collectors.joining(", "))
                            + "); it keeps trying until it is");
                    return status != null && status == ExitCodes.OK ? ExitCodes.UNAVAILABLE : status;
                }
            }
            console.say("task " + session.taskId() + " ended" + (request.dbRole() != null
                    ? "; its database login is gone" : "") + (status == null ? "" : " (exit " + status + ")"));
            return status;
        } catch (BrokerRejectedException | BrokerUnavailableException e) {
            console.say("could not end task " + session.taskId() + ": " + e.getMessage()
                    + "; what it was given stays valid until its deadline " + session.deadline().at());
            if (status == null || status != ExitCodes.OK) {
                return status;
            }
            return e instanceof BrokerRejectedException ? ExitCodes.REFUSED : ExitCodes.UNAVAILABLE;
        }
    }

    /** The task's leases the broker does not report revoked, after waiting a little for them. */
    private List<LeaseInfo> leasesNotYetRevoked(TaskSession session)
            throws BrokerRejectedException, BrokerUnavailableException, InterruptedException {
        // The broker's end answer comes once each lease is revoked or 2 s have passed; usually the former.
        long waitUntil = System.nanoTime() + REVOCATION_WAIT.toNanos();
        while (true) {
            List<LeaseInfo> left = session.leases().stream().filter(l -> l.state() != LeaseState.REVOKED).toList();
            if (left.isEmpty() || System.nanoTime() - waitUntil >= 0) {
                return left;
            }
            Thread.sleep(200);
        }
    }

    /**
     * The TTL to ask for when the agent token cannot be renewed: short enough that the command is
     * stopped and the task ended while that token is still good.
     */
    private Duration withinOneAgentToken(AgentToken agentToken, Duration requested) throws CliFailure {
        Duration usable = Duration.between(clock.instant(), agentToken.renewsAt()).minus(END_ALLOWANCE);
        Duration cap = Duration.ofSeconds(usable.toSeconds());
        if (cap.compareTo(SHORTEST_TASK) < 0) {
            throw new CliFailure(ExitCodes.REFUSED, "the agent token from the job's single-use ID token is good until "
                    + agentToken.renewsAt() + ", too soon for a task that must be ended with it");
        }
        if (requested != null && requested.compareTo(cap) <= 0) {
            return requested;
        }
        console.say("the job's ID token can be exchanged only once, so the agent token cannot be renewed: the task"
                + " lasts at most " + Durations.format(cap) + ", to be ended while that token is good");
        return cap;
    }

    static TaskRequest taskRequest(Tier tier, List<Scope> scopes, Duration ttl, String purpose) throws CliFailure {
        try {
            return new TaskRequest(null, tier, purpose, scopes, ttl);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage());
        }
    }

    /** "stint exec make (github org/repo run 123)": the command's name, never its arguments, which may hold secrets. */
    static String defaultPurpose(List<String> command, Map<String, String> env) {
        String name = Path.of(command.get(0)).getFileName().toString();
        String job = "";
        if (env.get("GITHUB_REPOSITORY") != null) {
            job = " (github " + env.get("GITHUB_REPOSITORY") + " run " + env.getOrDefault("GITHUB_RUN_ID", "?") + ")";
        } else if (env.get("CI_PROJECT_PATH") != null) {
            job = " (gitlab " + env.get("CI_PROJECT_PATH") + " job " + env.getOrDefault("CI_JOB_ID", "?") + ")";
        }
        String purpose = ("stint exec " + name + job).replaceAll("\\p{Cntrl}", " ");
        return purpose.length() <= 200 ? purpose : purpose.substring(0, 200);
    }

    private static String variableNames(boolean database) {
        List<String> names = new ArrayList<>(ChildEnvironment.TASK_VARIABLES);
        if (database) {
            names.addAll(ChildEnvironment.DATABASE_VARIABLES);
        }
        return String.join(" ", names);
    }

    /** Every secret in the child's environment, and the password as DATABASE_URL spells it. */
    private static List<String> secrets(TaskToken token, Optional<DatabaseCredentials> login,
            Map<String, String> childEnv) {
        List<String> secrets = new ArrayList<>(List.of(token.value()));
        login.ifPresent(l -> {
            secrets.add(l.password());
            secrets.add(DatabaseUrl.encode(l.password()));
            secrets.add(childEnv.get("DATABASE_URL"));
        });
        return secrets;
    }
}
