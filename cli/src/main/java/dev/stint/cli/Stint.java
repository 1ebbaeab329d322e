package dev.stint.cli;

import dev.stint.sdk.BrokerRejectedException;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.IssuerMismatchException;
import dev.stint.token.Scope;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The {@code stint} command line: parses, runs the command, and turns every outcome into an exit
 * code (see {@link ExitCodes}) and at most one line on stderr.
 */
public final class Stint {

    private final Map<String, String> env;
    private final Console console;
    private final Clock clock;

    public Stint(Map<String, String> env, java.io.PrintStream out, java.io.PrintStream err, Clock clock) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.console = new Console(out, err);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public int run(String... args) {
        try {
            return dispatch(args);
        } catch (CliFailure e) {
            console.say(e.getMessage());
            return e.exitCode();
        } catch (IssuerMismatchException e) {
            console.say(e.getMessage());
            return ExitCodes.CONFIG;
        } catch (BrokerRejectedException e) {
            console.say(e.getMessage());
            return ExitCodes.REFUSED;
        } catch (BrokerUnavailableException e) {
            console.say(e.getMessage());
            return ExitCodes.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            console.say("interrupted");
            return ExitCodes.SOFTWARE;
        } catch (RuntimeException e) {
            console.say("internal error: " + e.getClass().getName());
            return ExitCodes.SOFTWARE;
        }
    }

    private int dispatch(String[] args)
            throws CliFailure, BrokerRejectedException, BrokerUnavailableException, InterruptedException {
        CommandLine commandLine = CommandLineSpec.build();
        commandLine.setOut(new PrintWriter(console.out(), true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(console.err(), true, StandardCharsets.UTF_8));
        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw CliFailure.usage(e.getMessage() + " (see stint " + helpPath(e.getCommandLine()) + "--help)");
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return ExitCodes.OK;
        }
        ParseResult command = parsed.subcommand();
        if (command == null) {
            commandLine.usage(console.err());
            return ExitCodes.USAGE;
        }
        return switch (command.commandSpec().name()) {
            case "exec" -> exec(command);
            case "token" -> {
                TaskId task = optional(command, "--task", TaskId::new);
                yield script(command, scripts -> scripts.token(task));
            }
            case "db-creds" -> {
                TaskId task = required(command, "--task", TaskId::new);
                String role = command.matchedPositionalValue(0, "");
                yield script(command, scripts -> scripts.databaseCredentials(task, role));
            }
            case "task" -> task(command);
            default -> throw new IllegalStateException("no handler for " + command.commandSpec().name());
        };
    }

    private int task(ParseResult task) throws CliFailure, BrokerRejectedException, BrokerUnavailableException {
        ParseResult command = task.subcommand();
        if (command == null) {
            throw CliFailure.usage("stint task needs a command: open, show or end (see stint task --help)");
        }
        // Every argument is checked before the broker is asked anything.
        switch (command.commandSpec().name()) {
            case "open" -> {
                Tier tier = required(command, "--tier", Tier::new);
                List<Scope> scopes = scopes(command);
                Duration ttl = optional(command, "--ttl", Durations::parse);
                String purpose = optional(command, "--purpose", Function.identity());
                return script(command, scripts -> scripts.open(tier, scopes, ttl, purpose));
            }
            case "show" -> {
                TaskId id = taskId(command);
                return script(command, scripts -> scripts.show(id));
            }
            case "end" -> {
                TaskId id = taskId(command);
                return script(command, scripts -> scripts.end(id));
            }
            default -> throw new IllegalStateException("no handler for task " + command.commandSpec().name());
        }
    }

    private int exec(ParseResult command)
            throws CliFailure, BrokerRejectedException, BrokerUnavailableException, InterruptedException {
        String nested = env.get("STINT_TASK_ID");
        if (nested != null) {
            // Checked before anything else: a nested exec would open a second task from inside the first.
            throw CliFailure.usage("refusing to run inside another stint exec (STINT_TASK_ID is set: task "
                    + nested.replaceAll("[^A-Za-z0-9_.:-]", "?") + "); its command already has a task");
        }
        List<String> cmd = command.matchedPositionalValue(0, List.of());
        if (cmd.isEmpty()) {
            throw CliFailure.usage("Missing required parameter: 'CMD' (see stint exec --help)");
        }
        ExecCommand.Request request = new ExecCommand.Request(required(command, "--tier", Tier::new),
                scopes(command), optional(command, "--db-role", Function.identity()),
                optional(command, "--ttl", Durations::parse), optional(command, "--purpose", Function.identity()),
                cmd);
        try (AgentClient agent = connect(command)) {
            return new ExecCommand(console, env, clock, tempRoot()).run(agent, request);
        }
    }

    /** One of the script commands, with a client that is closed when it is done. */
    @FunctionalInterface
    private interface Script {
        int run(ScriptCommands scripts) throws CliFailure, BrokerRejectedException, BrokerUnavailableException;
    }

    private int script(ParseResult command, Script script)
            throws CliFailure, BrokerRejectedException, BrokerUnavailableException {
        try (AgentClient agent = connect(command)) {
            return script.run(new ScriptCommands(agent.client(), console, clock));
        }
    }

    private AgentClient connect(ParseResult command) throws CliFailure {
        Login login = Login.from(new Login.Options(
                command.matchedOptionValue("--key", null), command.matchedOptionValue("--agent", null),
                command.matchedOptionValue("--ci", null), command.matchedOptionValue("--ci-audience", null),
                command.matchedOptionValue("--ci-token-var", null)), env);
        if (login instanceof Login.Key) {
            WarmUp.start(); // the client assertion will be signed after the metadata request
        }
        return AgentClient.connect(broker(command), login, env, clock);
    }

    /** --broker, else STINT_BROKER, else the broker's default address; without a trailing slash. */
    private URI broker(ParseResult command) throws CliFailure {
        String text = command.matchedOptionValue("--broker", null);
        if (text == null) {
            text = env.getOrDefault("STINT_BROKER", "").isBlank() ? CommandLineSpec.BROKER_DEFAULT
                    : env.get("STINT_BROKER");
        }
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (URISyntaxException e) {
            throw CliFailure.usage("--broker is not a URL: " + e.getReason());
        }
        if (!uri.isAbsolute() || uri.getHost() == null || !uri.getScheme().matches("(?i)https?")
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw CliFailure.usage("--broker must be the broker's issuer, an http(s) URL with a host and no user"
                    + " info, query or fragment, e.g. " + CommandLineSpec.BROKER_DEFAULT);
        }
        return uri;
    }

    /** Where the token file's private directory goes: the runner's temp dir under GitHub Actions, else TMPDIR. */
    private Path tempRoot() {
        for (String variable : List.of("RUNNER_TEMP", "TMPDIR")) {
            String dir = env.get(variable);
            if (dir != null && !dir.isBlank()) {
                return Path.of(dir);
            }
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static List<Scope> scopes(ParseResult command) throws CliFailure {
        List<Scope> scopes = new ArrayList<>();
        for (String text : command.<List<String>>matchedOptionValue("--scope", List.of())) {
            try {
                scopes.add(Scope.parse(text.strip()));
            } catch (IllegalArgumentException e) {
                throw CliFailure.usage("--scope " + text + ": " + e.getMessage());
            }
        }
        return scopes;
    }

    private static TaskId taskId(ParseResult command) throws CliFailure {
        String text = command.matchedPositionalValue(0, "");
        try {
            return new TaskId(text);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("task id " + text + ": " + e.getMessage());
        }
    }

    private static <T> T required(ParseResult command, String option, Function<String, T> parse) throws CliFailure {
        T value = optional(command, option, parse);
        if (value == null) {
            throw CliFailure.usage("missing " + option);
        }
        return value;
    }

    private static <T> T optional(ParseResult command, String option, Function<String, T> parse) throws CliFailure {
        String text = command.matchedOptionValue(option, null);
        if (text == null) {
            return null;
        }
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(option + ": " + e.getMessage());
        }
    }

    private static String helpPath(CommandLine where) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = where; c != null && c.getParent() != null; c = c.getParent()) {
            path.insert(0, c.getCommandName() + " ");
        }
        return path.toString();
    }
}
