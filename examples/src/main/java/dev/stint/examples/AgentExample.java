package dev.stint.examples;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.IssuerMismatchException;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.sdk.TaskToken;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent's life with Stint, end to end: make a key, open a task, use its token twice (the
 * second time from the cache), end the task, and see that the session now refuses.
 *
 * <p>Usage: see {@link #USAGE}, printed by {@code help}. {@code --url} must be the broker's
 * issuer exactly as its metadata names it (RFC 8414): the SDK will not use a broker whose issuer
 * is {@code http://127.0.0.1:8400} through {@code http://localhost:8400}, and the example then
 * says which URL to pass.
 *
 * <p>Exit status: 0 done; 1 refused (by the broker or by the SDK itself) or the broker was
 * unavailable; 2 bad usage, a bad key file, or a {@code --url} that is not the broker's issuer.
 */
public final class AgentExample {

    static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8400");
    static final String KEY_FILE = "agent.jwk";
    static final Tier DEFAULT_TIER = new Tier("dev");
    static final Scope DEFAULT_SCOPE = Scope.parse("db:orders:read");
    static final String DEFAULT_PURPOSE = "Stint SDK example: read orders";
    static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    static final String USAGE = String.join("\n",
            "usage: AgentExample keygen DIR",
            "       AgentExample run [--url URL] [--agent ID] [--key FILE] [--tier TIER]",
            "                        [--scope SCOPE]... [--purpose TEXT] [--ttl 600|600s|10m|1h]",
            "",
            "keygen DIR        write DIR/" + KEY_FILE + ", the agent's private key (a secret: mode 0600;",
            "                  keep it out of version control), and print the public JWKS to register",
            "run               open a task, fetch its token twice (the second from the cache), end it",
            "  --url URL       the broker's issuer, exactly as its metadata names it",
            "                  (GET URL/.well-known/oauth-authorization-server, field issuer);",
            "                  default " + DEFAULT_URL + ", env STINT_URL. http://localhost:N is",
            "                  not the same issuer as http://127.0.0.1:N",
            "  --agent ID      the registered agent id (env STINT_AGENT_ID; required)",
            "  --key FILE      the private key written by keygen (default ./" + KEY_FILE + ",",
            "                  env STINT_AGENT_KEY)",
            "  --tier TIER     default " + DEFAULT_TIER.name(),
            "  --scope SCOPE   repeatable; default " + DEFAULT_SCOPE,
            "  --purpose TEXT  default \"" + DEFAULT_PURPOSE + "\"",
            "  --ttl TTL       600, 600s, 10m or 1h; default 10m");

    private static final Pattern TTL = Pattern.compile("(\\d{1,7})([smh]?)");

    /** What the command line asks for. */
    sealed interface Command permits Keygen, Run, Help {
    }

    record Keygen(Path dir) implements Command {
    }

    record Run(URI url, AgentId agent, Path keyFile, Tier tier, List<Scope> scopes, String purpose, Duration ttl)
            implements Command {
    }

    record Help() implements Command {
    }

    /** The command line cannot be understood; the message says how to fix it. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    AgentExample(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        this.env = Objects.requireNonNull(env, "env");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static void main(String[] args) {
        System.exit(new AgentExample(System.getenv(), System.out, System.err, Clock.systemUTC()).run(args));
    }

    /** Runs one command and returns the exit status. */
    int run(String[] args) {
        Command command;
        try {
            command = parse(args, env);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            if (command instanceof Keygen keygen) {
                return keygen(keygen);
            }
            if (command instanceof Run run) {
                return runTask(run);
            }
            out.println(USAGE);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (TaskNotActiveException e) {
            // The SDK's own refusals say so in their message; the broker's get named here.
            err.println(e.refusedByClient() ? e.getMessage() : "refused by the broker: " + e.getMessage());
            return 1;
        } catch (BrokerRejectedException e) {
            err.println("refused by the broker: " + e.getMessage());
            return 1;
        } catch (IssuerMismatchException e) {
            // The broker answered; the URL we were given is not the one it calls itself.
            err.println("error: the broker's issuer is " + e.issuer() + " but you connected to " + e.baseUri()
                    + "; pass --url " + e.issuer() + " (the issuer exactly)");
            return 2;
        } catch (BrokerUnavailableException e) {
            err.println("broker unavailable: " + e.getMessage());
            if (command instanceof Run run && e.getCause() instanceof ConnectException) {
                err.println("nothing listens at " + run.url() + ": is the broker running? If it listens elsewhere"
                        + " (./stint broker --port N), pass --url with its issuer, e.g. --url http://127.0.0.1:N");
            }
            return 1;
        }
    }

    static Command parse(String[] args, Map<String, String> env) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("missing command: keygen or run");
        }
        switch (args[0]) {
            case "keygen":
                if (args.length != 2) {
                    throw new UsageException("keygen needs exactly one argument: the directory for " + KEY_FILE);
                }
                return new Keygen(Path.of(args[1]));
            case "run":
                return parseRun(args, env);
            case "help":
            case "-h":
            case "--help":
                return new Help();
            default:
                throw new UsageException("unknown command '" + args[0] + "': use keygen or run");
        }
    }

    private static Run parseRun(String[] args, Map<String, String> env) throws UsageException {
        String url = env.getOrDefault("STINT_URL", DEFAULT_URL.toString());
        String agent = env.get("STINT_AGENT_ID");
        String key = env.getOrDefault("STINT_AGENT_KEY", KEY_FILE);
        String tier = DEFAULT_TIER.name();
        List<String> scopes = new ArrayList<>();
        String purpose = DEFAULT_PURPOSE;
        String ttl = null;
        for (int i = 1; i < args.length; i += 2) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new UsageException("option " + option + " needs a value");
            }
            String value = args[i + 1];
            switch (option) {
                case "--url" -> url = value;
                case "--agent" -> agent = value;
                case "--key" -> key = value;
                case "--tier" -> tier = value;
                case "--scope" -> scopes.add(value);
                case "--purpose" -> purpose = value;
                case "--ttl" -> ttl = value;
                default -> throw new UsageException("unknown option " + option);
            }
        }
        if (agent == null || agent.isBlank()) {
            throw new UsageException("agent id missing: pass --agent ID or set STINT_AGENT_ID");
        }
        try {
            List<Scope> parsedScopes = new ArrayList<>();
            for (String scope : scopes.isEmpty() ? List.of(DEFAULT_SCOPE.toString()) : scopes) {
                parsedScopes.add(Scope.parse(scope));
            }
            if (purpose.isBlank()) {
                throw new UsageException("purpose must not be blank");
            }
            return new Run(parseUrl(url), new AgentId(agent), Path.of(key), new Tier(tier),
                    List.copyOf(parsedScopes), purpose, ttl == null ? DEFAULT_TTL : parseTtl(ttl));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static URI parseUrl(String text) throws UsageException {
        try {
            URI uri = new URI(text);
            if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new UsageException("broker URL must be http(s)://HOST:PORT, got '" + text + "'");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new UsageException("broker URL is not a URL: '" + text + "'");
        }
    }

    static Duration parseTtl(String text) throws UsageException {
        Matcher m = TTL.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException("ttl must be a positive number of seconds, or like 90s, 10m, 1h; got '"
                    + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private int keygen(Keygen command) throws IOException {
        Files.createDirectories(command.dir());
        Path file = command.dir().resolve(KEY_FILE);
        ECKey key = AgentKeys.generate();
        AgentKeys.writePrivate(key, file);
        // Only the JWKS goes to stdout, so it can be piped straight into agent registration.
        out.println(AgentKeys.publicJwkSetJson(key));
        err.println("wrote private key " + file + " (a secret: mode 0600, kid " + key.getKeyID()
                + "); register the public JWKS above with the broker");
        return 0;
    }

    private int runTask(Run command)
            throws IOException, BrokerRejectedException, BrokerUnavailableException {
        ECKey key = AgentKeys.load(command.keyFile());
        StintClient client = StintClient.create(StintClientOptions.of(command.url(), command.agent(), key, clock));
        TaskRequest request = TaskRequest.of(command.tier(), command.purpose(), command.scopes())
                .withTtl(command.ttl());

        TaskSession session = client.openTask(request);
        TaskId taskId = session.taskId();
        if (session.isPending()) {
            // Guarded scopes wait for people; this example does not wait for them, and leaves nothing open.
            session.close();
            err.println("task " + taskId + " awaits approval" + session.approvalId().map(id -> " (" + id + ")")
                    .orElse("") + ": its scopes need people's consent at the broker's /ui/approvals; this"
                    + " example does not wait, and ended the task");
            return 1;
        }
        out.println("opened task  " + taskId + " as " + command.agent() + " in tier " + session.tier()
                + " with " + Scope.join(session.scopes()));
        out.println("deadline     " + session.deadline().at());
        try (session) {
            TaskToken first = session.token();
            out.println("token #1     sha256:" + first.fingerprint() + " expires " + first.expiresAt()
                    + " (fetched from the broker)");
            TaskToken second = session.token();
            out.println("token #2     sha256:" + second.fingerprint() + " expires " + second.expiresAt()
                    + (second.equals(first) ? " (same token, served from the cache)" : " (a new token)"));
        }
        out.println("ended task   " + taskId + " (broker reports it " + client.task(taskId).status().wireName() + ")");
        try {
            session.token();
            err.println("error: the ended session still returned a token");
            return 1;
        } catch (TaskNotActiveException e) {
            // "refused by the Stint client: ...": the session refuses on its own, with no request.
            out.println("token() now  " + e.getMessage());
        }
        return 0;
    }
}
