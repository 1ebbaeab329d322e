package dev.stint.examples;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTParser;
import dev.stint.examples.AgentExample.UsageException;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.ApprovalTimeoutException;
import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.IssuerMismatchException;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskInfo;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskNotApprovedException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.sdk.TaskStatus;
import dev.stint.sdk.TaskToken;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The first incident of DESIGN.md, replayed from the agent's side: an AI agent deleted a live
 * production database during a code freeze, because the freeze was a human process and nothing
 * asked a human first. Here {@code demo-agent} (in the sample policy it may hold
 * {@code db:orders:delete} in prod, with two approvers, and the weekend freeze denies deletes)
 * asks for the same thing, through the SDK over HTTP only. Each step is a method, so a test can
 * move the broker's clock between them:
 *
 * <ol>
 *   <li>{@link #ask()}: a prod task with {@code db:orders:delete}. During a freeze it is refused
 *       with the freeze's reason and nothing is issued; outside one it is pending, with the page
 *       where people decide;
 *   <li>{@link #awaitApproval}: people approve (the broker refuses the agent's owner); the task
 *       becomes active and its token names the approvers;
 *   <li>{@link #workUntilEnded}: the agent works until the broker ends the task (a freeze that
 *       starts, someone ending it, or its deadline) and reports by what.
 * </ol>
 *
 * <p>{@link #main} runs them in order against a running broker and reports what happened, since
 * whether a freeze is in force depends on when it runs. Exit status: 0 when every step went as
 * the incident demands (refused, or decided by people and ended by the broker); 1 when one did
 * not (the incident could happen again), with a one-line reason on stderr; 2 when the replay
 * could not be carried out (bad usage or key file, the broker unreachable, an unexpected refusal,
 * nobody decided in time). No token is ever printed, only its fingerprint.
 */
public final class FreezeIncidentReplay {

    static final AgentId DEFAULT_AGENT = new AgentId("demo-agent");
    static final Tier PROD = new Tier("prod");
    static final Scope DELETE_ORDERS = Scope.parse("db:orders:delete");
    static final String PURPOSE = "incident replay: delete old orders in prod";
    /** The sample policy's prod max_ttl: the broker caps a longer request there anyway. */
    static final Duration TTL = Duration.ofMinutes(15);
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    /** How long past its deadline the broker may take to report a task expired. */
    static final Duration EXPIRY_GRACE = Duration.ofMinutes(1);

    static final String USAGE = String.join("\n",
            "usage: FreezeIncidentReplay [--url URL] [--agent ID] [--key FILE] [--wait DURATION]",
            "",
            "Replays the first incident as the agent: it asks for a prod task to delete orders. During a",
            "freeze that is refused with the freeze's reason; outside one it waits for two approvers other",
            "than its owner, then works until the broker ends the task (a freeze that starts, someone",
            "ending it, or its deadline, at most 15m later) and says by what.",
            "  --url URL        the broker's issuer exactly (default " + AgentExample.DEFAULT_URL + ", env STINT_URL)",
            "  --agent ID       default " + DEFAULT_AGENT + " (env STINT_AGENT_ID)",
            "  --key FILE       the agent's private key (default ./" + AgentExample.KEY_FILE + ", env STINT_AGENT_KEY)",
            "  --wait DURATION  how long to wait for the approvers, like 90s or 10m (default 10m)",
            "exit status: 0 stopped at every step, 1 a step went otherwise, 2 could not replay");

    record Options(URI url, AgentId agent, Path keyFile, Duration approvalWait) {
    }

    /** What asking for the task came to. */
    sealed interface Asked permits Refused, Pending {
    }

    /** The broker refused the task; nothing was issued. */
    record Refused(int status, String problemType, String detail) implements Asked {
    }

    /** The task waits for people, who decide at {@code page}. */
    record Pending(TaskSession session, String approvalId, URI page) implements Asked {
    }

    /** The task is active: {@code token} (a secret: print only its fingerprint) names the {@code approvers}. */
    record Approved(TaskSession session, TaskToken token, List<String> approvers) {
    }

    /** How the broker reported the task once it was no longer active. */
    record Ended(TaskStatus status, String reason) {
    }

    /** A step went otherwise than the incident demands; the message says which and how. */
    static final class NotStopped extends Exception {
        private static final long serialVersionUID = 1L;

        NotStopped(String message) {
            super(message);
        }
    }

    private final StintClient client;
    private final URI issuer;
    private final Clock clock;
    private final PrintStream out;
    private int step;

    /** @param issuer the broker's issuer, where its approval pages are */
    FreezeIncidentReplay(StintClient client, URI issuer, Clock clock, PrintStream out) {
        this.client = Objects.requireNonNull(client, "client");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.out = Objects.requireNonNull(out, "out");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err, Clock.systemUTC()));
    }

    /** Replays the incident and returns the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        Optional<Options> options;
        try {
            options = parse(args, env);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.isEmpty()) {
            out.println(USAGE);
            return 0;
        }
        try {
            out.println("STOPPED: " + replay(options.get(), out, clock));
            return 0;
        } catch (NotStopped e) {
            err.println("NOT STOPPED: " + e.getMessage());
            return 1;
        } catch (ApprovalTimeoutException e) {
            err.println("could not replay: nobody decided: " + e.getMessage());
            return 2;
        } catch (IssuerMismatchException e) {
            err.println("could not replay: the broker's issuer is " + e.issuer() + "; pass --url " + e.issuer());
            return 2;
        } catch (BrokerUnavailableException e) {
            err.println("could not replay: broker unavailable: " + e.getMessage());
            return 2;
        } catch (BrokerRejectedException e) {
            err.println("could not replay: " + e.getMessage());
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("could not replay: " + e.getMessage());
            return 2;
        }
    }

    /** The options, or empty when help was asked for. */
    static Optional<Options> parse(String[] args, Map<String, String> env) throws UsageException {
        String url = env.getOrDefault("STINT_URL", AgentExample.DEFAULT_URL.toString());
        String agent = env.getOrDefault("STINT_AGENT_ID", DEFAULT_AGENT.value());
        String key = env.getOrDefault("STINT_AGENT_KEY", AgentExample.KEY_FILE);
        Duration wait = DEFAULT_WAIT;
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (List.of("help", "-h", "--help").contains(option)) {
                return Optional.empty();
            }
            if (i + 1 >= args.length) {
                throw new UsageException("option " + option + " needs a value");
            }
            String value = args[i + 1];
            switch (option) {
                case "--url" -> url = value;
                case "--agent" -> agent = value;
                case "--key" -> key = value;
                case "--wait" -> wait = AgentExample.parseTtl(value);
                default -> throw new UsageException("unknown option " + option);
            }
        }
        try {
            return Optional.of(new Options(AgentExample.parseUrl(url), new AgentId(agent), Path.of(key), wait));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The steps in order; returns the closing sentence of a replay that was stopped. */
    private static String replay(Options options, PrintStream out, Clock clock) throws NotStopped, IOException,
            ApprovalTimeoutException, BrokerRejectedException, BrokerUnavailableException {
        StintClient client = StintClient.create(StintClientOptions.of(options.url(), options.agent(),
                loadKey(options.keyFile()), clock));
        FreezeIncidentReplay replay = new FreezeIncidentReplay(client, options.url(), clock, out);
        out.println("The first incident, replayed: " + options.agent() + " at " + options.url()
                + " wants to delete orders in prod");
        if (!(replay.ask() instanceof Pending pending)) {
            return "the prod task was refused and nothing was issued (outside a freeze it would wait for people)";
        }
        try {
            Approved approved = replay.awaitApproval(pending, options.approvalWait());
            Duration untilDeadline = Duration.between(clock.instant(), approved.session().deadline().at());
            Ended ended = replay.workUntilEnded(approved, CHECK_EVERY, untilDeadline.plus(EXPIRY_GRACE));
            return "people decided, and the broker ended the task (" + ended.status().wireName() + ")";
        } catch (TaskNotApprovedException e) {
            return "people did not approve the task and nothing was issued";
        } finally {
            endQuietly(pending.session(), out);
        }
    }

    /**
     * Asks for a prod task with {@code db:orders:delete}.
     *
     * @return refused (403, or opened as neither active nor pending), or pending with its approval
     * @throws NotStopped when the broker opened the task active, with nobody asked (it is ended again)
     * @throws BrokerRejectedException when the broker refused otherwise than by policy (401, 400)
     */
    Asked ask() throws NotStopped, BrokerRejectedException, BrokerUnavailableException {
        out.println(next() + "it asks for a prod task with " + DELETE_ORDERS + " (its clock: " + clock.instant() + ")");
        TaskSession task;
        try {
            task = client.openTask(TaskRequest.of(PROD, PURPOSE, List.of(DELETE_ORDERS)).withTtl(TTL));
        } catch (TaskNotActiveException e) {
            out.println("   refused: the broker opened it as not active: " + e.detail());
            out.println("   nothing issued");
            return new Refused(e.status(), e.problemType(), e.detail());
        } catch (BrokerRejectedException e) {
            if (e.status() != 403) {
                throw e;
            }
            out.println("   refused: HTTP 403 " + e.problemType() + ": " + e.detail());
            out.println("   nothing issued");
            return new Refused(e.status(), e.problemType(), e.detail());
        }
        if (!task.isPending() || task.approvalId().isEmpty()) {
            // The hole the incident went through: end the task at once, then report it.
            boolean ended = endQuietly(task, out);
            throw new NotStopped("step " + step + ": the broker opened prod task " + task.taskId() + " with "
                    + DELETE_ORDERS + " and asked nobody" + (ended ? " (ended it again)" : " (could not end it)"));
        }
        String approvalId = task.approvalId().get();
        URI page = URI.create(issuer + "/ui/approvals/" + approvalId);
        out.println("   pending: task " + task.taskId() + " awaits approval " + approvalId
                + "; nothing is issued until people approve");
        return new Pending(task, approvalId, page);
    }

    /**
     * Waits for people to decide on the pending task; once it is active, takes a token and reads
     * who approved it from the token's {@code approvals} claim (not verified here: the agent reads
     * its own token, a resource server verifies it).
     *
     * @throws NotStopped when the task is active with fewer than two approvers in its token
     * @throws TaskNotApprovedException when the broker reports it denied, ended or expired instead
     * @throws ApprovalTimeoutException when nobody decided within {@code timeout}
     */
    Approved awaitApproval(Pending pending, Duration timeout) throws NotStopped, TaskNotApprovedException,
            ApprovalTimeoutException, BrokerRejectedException, BrokerUnavailableException {
        out.println(next() + "people decide at " + pending.page());
        out.println("   waiting for two approvers other than the owner (up to " + readable(timeout) + ")");
        TaskSession session = pending.session();
        TaskInfo active;
        try {
            active = session.awaitApproval(timeout, still -> out.println("   still pending: approval "
                    + pending.approvalId()));
        } catch (TaskNotApprovedException e) {
            out.println("   not approved: the broker reports it " + e.taskStatus().wireName()
                    + e.endReason().map(reason -> " (" + reason + ")").orElse("") + "; nothing issued");
            throw e;
        }
        TaskToken token = session.token();
        List<String> approvers = approvers(token);
        out.println("   approved: task " + active.taskId() + " is active until " + active.deadline().at()
                + "; its token (fingerprint " + token.fingerprint() + ") names the approvers "
                + String.join(", ", approvers));
        if (approvers.size() < 2) {
            throw new NotStopped("step " + step + ": task " + active.taskId() + " is active with the approval of "
                    + (approvers.isEmpty() ? "nobody" : String.join(", ", approvers)) + " alone");
        }
        return new Approved(session, token, approvers);
    }

    /**
     * Works on the task (keeps a token at hand) and asks the broker every {@code checkEvery}
     * whether it is still active, until it is not; then stops the session.
     *
     * @param longest how long to keep working, in real time, before reporting the task still active
     * @throws NotStopped when the task is still active after {@code longest}
     */
    Ended workUntilEnded(Approved approved, Duration checkEvery, Duration longest) throws NotStopped,
            BrokerRejectedException, BrokerUnavailableException {
        TaskSession session = approved.session();
        out.println(next() + "it works on task " + session.taskId() + ", asking the broker every "
                + readable(checkEvery) + " whether the task is still active");
        long start = System.nanoTime();
        boolean tokenRefused = false;
        while (true) {
            if (!tokenRefused) {
                try {
                    session.token();
                } catch (TaskNotActiveException e) {
                    tokenRefused = true;
                    out.println("   its next token is refused: " + e.detail());
                }
            }
            TaskInfo task = client.task(session.taskId());
            if (task.status() != TaskStatus.ACTIVE) {
                String reason = task.endReason() == null ? "no reason given" : task.endReason();
                out.println("   " + task.status().wireName() + " (its clock: " + clock.instant() + "): " + reason);
                endQuietly(session, out);
                return new Ended(task.status(), task.endReason());
            }
            if (Duration.ofNanos(System.nanoTime() - start).compareTo(longest) >= 0) {
                throw new NotStopped("step " + step + ": task " + session.taskId() + " is still active after "
                        + readable(longest) + " of work (its deadline: " + session.deadline().at() + ")");
            }
            pause(checkEvery);
        }
    }

    /** The person ids in the token's {@code approvals} claim; empty when it has none. */
    private List<String> approvers(TaskToken token) throws NotStopped {
        try {
            List<String> approvals = JWTParser.parse(token.value()).getJWTClaimsSet().getStringListClaim("approvals");
            return approvals == null ? List.of() : List.copyOf(approvals);
        } catch (ParseException e) {
            throw new NotStopped("step " + step + ": the task token's claims cannot be read: " + e.getMessage());
        }
    }

    /** Like 10m, 90s or 100ms: how the usage text writes durations. */
    static String readable(Duration duration) {
        long seconds = duration.toSeconds();
        if (duration.toMillis() % 1000 != 0) {
            return duration.toMillis() + "ms";
        }
        return seconds % 3600 == 0 && seconds > 0 ? seconds / 3600 + "h"
                : seconds % 60 == 0 && seconds > 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private String next() {
        return ++step + ". ";
    }

    private static void pause(Duration pause) throws BrokerUnavailableException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while working on the task", 0, null, e);
        }
    }

    private static ECKey loadKey(Path file) throws IOException {
        try {
            return AgentKeys.load(file);
        } catch (NoSuchFileException e) {
            throw new IOException("no agent key at " + file + " (make one with: AgentExample keygen DIR)", e);
        }
    }

    /** Ends the task (idempotent; one the broker already ended counts), or warns; true when it is ended. */
    private static boolean endQuietly(TaskSession task, PrintStream out) {
        try {
            task.end();
            return true;
        } catch (BrokerRejectedException | BrokerUnavailableException e) {
            out.println("warning: could not end task " + task.taskId() + " (" + e.getMessage()
                    + "); it ends at its deadline " + task.deadline().at());
            return false;
        }
    }
}
