package dev.stint.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command line, built with picocli's programmatic API: no annotations to reflect over at
 * start-up, which matters for a command run once per CI step.
 */
final class CommandLineSpec {

    static final String BROKER_DEFAULT = "http://127.0.0.1:8400";

    private CommandLineSpec() {
    }

    static CommandLine build() {
        CommandSpec root = command("stint", "Just-in-time credentials from a Stint broker, for CI jobs and people.",
                "Every command authenticates itself: --key FILE --agent ID (private_key_jwt), or --ci github|gitlab",
                "(the job's OIDC token, exchanged for an agent token). `./stint broker` starts a broker.");
        root.addSubcommand("exec", withLogin(command("exec",
                "Open a task, run CMD with its credentials in CMD's environment only, end the task when CMD exits,"
                        + " and exit with CMD's code.")
                .addOption(option("--tier", "TIER", "the task's tier, e.g. dev").required(true).build())
                .addOption(scopes())
                .addOption(option("--db-role", "ROLE", "also a database login for ROLE: PGHOST PGPORT PGDATABASE"
                        + " PGUSER PGPASSWORD DATABASE_URL").build())
                .addOption(option("--ttl", "DURATION", "the task's lifetime (90s, 15m, 1h); the tier's default"
                        + " when left out, capped at its maximum").build())
                .addOption(option("--purpose", "TEXT", "why, for the audit log; default: the command's name"
                        + " and the CI job").build())
                .addPositional(PositionalParamSpec.builder().paramLabel("CMD").arity("1..*").type(List.class)
                        .auxiliaryTypes(String.class).description("the command and its arguments, after --").build())));
        root.subcommands().get("exec").getCommandSpec().parser().stopAtPositional(true);
        root.addSubcommand("token", withLogin(command("token",
                "Print the agent token as JSON, or with --task a token of that task.")
                .addOption(option("--task", "ID", "print a token of this task instead").build())));
        root.addSubcommand("db-creds", withLogin(command("db-creds",
                "Print a new database login of a task as JSON (password included).")
                .addOption(option("--task", "ID", "the task").required(true).build())
                .addPositional(PositionalParamSpec.builder().paramLabel("ROLE").arity("1").type(String.class)
                        .description("the database role, e.g. orders-readonly").build())));
        CommandSpec task = command("task", "Open, show or end a task; each prints the task as JSON.");
        task.addSubcommand("open", withLogin(command("open", "Open a task.")
                .addOption(option("--tier", "TIER", "the task's tier").required(true).build())
                .addOption(scopes())
                .addOption(option("--ttl", "DURATION", "the task's lifetime (90s, 15m, 1h)").build())
                .addOption(option("--purpose", "TEXT", "why, for the audit log").build())));
        task.addSubcommand("show", withLogin(command("show", "Show a task.").addPositional(taskId())));
        task.addSubcommand("end", withLogin(command("end", "End a task: everything it was given is revoked.")
                .addPositional(taskId())));
        root.addSubcommand("task", task);
        return new CommandLine(root);
    }

    private static CommandSpec command(String name, String... description) {
        CommandSpec spec = CommandSpec.create().name(name);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        return spec;
    }

    /** The options every broker-facing command takes. */
    private static CommandSpec withLogin(CommandSpec spec) {
        return spec
                .addOption(option("--broker", "URL", "the broker's issuer (env STINT_BROKER; default "
                        + BROKER_DEFAULT + ")").build())
                .addOption(option("--key", "FILE", "the agent's private key, a JWK (env STINT_KEY_FILE)").build())
                .addOption(option("--agent", "ID", "the agent's id, with --key (env STINT_AGENT)").build())
                .addOption(option("--ci", "PLATFORM", "github or gitlab: exchange the job's OIDC token").build())
                .addOption(option("--ci-audience", "AUD", "with --ci github: the audience to ask for (default: the"
                        + " broker's issuer)").build())
                .addOption(option("--ci-token-var", "NAME", "with --ci gitlab: the id_tokens variable (default "
                        + "STINT_ID_TOKEN)").build());
    }

    private static OptionSpec.Builder option(String name, String label, String description) {
        return OptionSpec.builder(name).paramLabel(label).type(String.class).description(description);
    }

    private static OptionSpec scopes() {
        return OptionSpec.builder("--scope").paramLabel("SCOPE").type(List.class).auxiliaryTypes(String.class)
                .splitRegex(",").required(true).description("a scope the task needs, e.g. db:orders:read;"
                        + " repeat it, or separate with commas").build();
    }

    private static PositionalParamSpec taskId() {
        return PositionalParamSpec.builder().paramLabel("ID").arity("1").type(String.class)
                .description("the task's id").build();
    }
}
