package dev.stint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.sdk.AgentKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What stint refuses before it talks to anyone: each row is a command line and environment, the
 * exit code and the one line on stderr. No broker runs; none is needed for these.
 */
class CommandLineRefusalTest {

    @TempDir
    static Path dir;
    static Path key;
    static Path garbageKey;

    @BeforeAll
    static void keys() throws IOException {
        key = dir.resolve("agent.jwk");
        ECKey generated = AgentKeys.generate();
        AgentKeys.writePrivate(generated, key);
        garbageKey = dir.resolve("garbage.jwk");
        Files.writeString(garbageKey, "{not json");
    }

    record Row(String name, List<String> args, Map<String, String> env, int exitCode, String stderr) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<String> EXEC = List.of("exec", "--tier", "dev", "--scope", "db:orders:read");

    static List<String> exec(String... more) {
        return Stream.concat(EXEC.stream(), Stream.of(more)).toList();
    }

    static Stream<Row> usageRefusals() {
        Map<String, String> keyEnv = Map.of("STINT_KEY_FILE", "agent.jwk", "STINT_AGENT", "demo-agent");
        return Stream.of(
                new Row("exec without --tier", List.of("exec", "--scope", "db:orders:read", "--", "true"), keyEnv,
                        2, "stint: Missing required option: '--tier=TIER' (see stint exec --help)"),
                new Row("exec without --scope", List.of("exec", "--tier", "dev", "--", "true"), keyEnv, 2,
                        "stint: Missing required option: '--scope=SCOPE' (see stint exec --help)"),
                new Row("exec without a command", exec("--"), keyEnv, 2,
                        "stint: Missing required parameter: 'CMD' (see stint exec --help)"),
                new Row("a duration without unit", exec("--ttl", "90", "--", "true"), keyEnv, 2,
                        "stint: --ttl: '90' is not a duration like 90s, 15m, 1h or 1h30m"),
                new Row("a duration of nothing", exec("--ttl", "0m", "--", "true"), keyEnv, 2,
                        "stint: --ttl: '0m' is no time at all"),
                new Row("a malformed scope", List.of("exec", "--tier", "dev", "--scope", "orders", "--", "true"),
                        keyEnv, 2, "stint: --scope orders: scope must have the form <kind>:<resource>:<action>"),
                new Row("a malformed tier", List.of("exec", "--tier", "Dev!", "--scope", "db:orders:read", "--",
                        "true"), keyEnv, 2, "stint: --tier: tier must be 1-32 lower-case letters, digits or '-', starting with a"
                                + " letter"),
                new Row("no credential", exec("--", "true"), Map.of(), 2, "stint: no credential: pass --key FILE (or"
                        + " set STINT_KEY_FILE) with --agent ID, or --ci github|gitlab"),
                new Row("a key without an agent", exec("--key", "agent.jwk", "--", "true"), Map.of(), 2,
                        "stint: --key needs the agent's id: pass --agent ID or set STINT_AGENT"),
                new Row("a key and a CI token", exec("--key", "agent.jwk", "--ci", "github", "--", "true"), Map.of(),
                        2, "stint: choose one credential: --key or --ci, not both"),
                new Row("an agent with a CI token", exec("--ci", "github", "--agent", "demo-agent", "--", "true"),
                        Map.of(), 2, "stint: --agent does not go with --ci: the broker's federation rules choose the"
                                + " agent"),
                new Row("an unknown CI", exec("--ci", "travis", "--", "true"), Map.of(), 2,
                        "stint: --ci must be github or gitlab, not 'travis'"),
                new Row("an audience for GitLab", exec("--ci", "gitlab", "--ci-audience", "x", "--", "true"), Map.of(),
                        2, "stint: --ci-audience does not go with --ci gitlab: GitLab sets the audience in the job's"
                                + " id_tokens (aud:)"),
                new Row("a token variable for GitHub", exec("--ci", "github", "--ci-token-var", "X", "--", "true"),
                        Map.of(), 2, "stint: --ci-token-var goes with --ci gitlab only"),
                new Row("CI options without --ci", exec("--ci-audience", "x", "--", "true"), keyEnv, 2,
                        "stint: --ci-audience and --ci-token-var go with --ci"),
                new Row("a broker URL that is not http", exec("--broker", "ftp://127.0.0.1:8400", "--", "true"), keyEnv,
                        2, "stint: --broker must be the broker's issuer, an http(s) URL with a host and no user info,"
                                + " query or fragment, e.g. http://127.0.0.1:8400"),
                new Row("a broker URL with a query", exec("--", "true"), Map.of("STINT_BROKER",
                        "http://127.0.0.1:8400/?x=1", "STINT_KEY_FILE", "k", "STINT_AGENT", "a"), 2,
                        "stint: --broker must be the broker's issuer, an http(s) URL with a host and no user info,"
                                + " query or fragment, e.g. http://127.0.0.1:8400"),
                new Row("exec inside exec", exec("--", "true"), Map.of("STINT_TASK_ID", "tsk_outer",
                        "STINT_KEY_FILE", "k", "STINT_AGENT", "a"), 2, "stint: refusing to run inside another stint"
                                + " exec (STINT_TASK_ID is set: task tsk_outer); its command already has a task"),
                new Row("an unknown option", List.of("token", "--nope"), keyEnv, 2,
                        "stint: Unknown option: '--nope' (see stint token --help)"),
                new Row("db-creds without a task", List.of("db-creds", "orders-readonly"), keyEnv, 2,
                        "stint: Missing required option: '--task=ID' (see stint db-creds --help)"),
                new Row("task without a command", List.of("task"), keyEnv, 2,
                        "stint: stint task needs a command: open, show or end (see stint task --help)"),
                new Row("a malformed task id", List.of("task", "show", "no spaces"), keyEnv, 2,
                        "stint: task id no spaces: task_id must be 1-64 letters, digits, '.', '_' or '-', starting with a"
                                + " letter or digit"),
                new Row("an unknown command", List.of("launch"), keyEnv, 2,
                        "stint: Unmatched argument at index 0: 'launch' (see stint --help)"));
    }

    static Stream<Row> configRefusals() {
        return Stream.of(
                new Row("a key file that is not there", exec("--key", "missing.jwk", "--agent", "a", "--", "true"),
                        Map.of(), 78, "stint: cannot read the agent key file " + dir.resolve("missing.jwk")
                                + " (NoSuchFileException)"),
                new Row("a key file that is not a key", exec("--key", "garbage.jwk", "--agent", "a", "--", "true"),
                        Map.of(), 78, "stint: agent key file " + dir.resolve("garbage.jwk")
                                + " is not a JSON Web Key"),
                new Row("GitHub without an OIDC token", exec("--ci", "github", "--", "true"), Map.of(), 78,
                        "stint: GitHub Actions gives this job no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set):"
                                + " give the job `permissions: id-token: write`"),
                new Row("GitLab without its ID token", exec("--ci", "gitlab", "--", "true"), Map.of(), 78,
                        "stint: the GitLab job has no ID token in $STINT_ID_TOKEN: declare it under `id_tokens:` in"
                                + " .gitlab-ci.yml, with `aud:` the broker's issuer"),
                new Row("GitLab with a variable that is not a name", exec("--ci", "gitlab", "--ci-token-var", "A-B",
                        "--", "true"), Map.of(), 78, "stint: --ci-token-var must be a variable name, like"
                                + " STINT_ID_TOKEN"));
    }

    @ParameterizedTest
    @MethodSource("usageRefusals")
    void usageErrorsExitTwoWithOneLine(Row row) {
        assertRefused(row);
    }

    @ParameterizedTest
    @MethodSource("configRefusals")
    void setUpErrorsExitSeventyEightWithOneLine(Row row) {
        assertRefused(row);
    }

    @Test
    void noCommandPrintsTheUsageAndExitsTwo() {
        Run run = Run.of(List.of(), Map.of());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err).contains("Usage: stint", "exec", "token", "db-creds", "task");
        assertThat(run.out).isEmpty();
    }

    @Test
    void helpGoesToStdoutAndExitsZero() {
        Run run = Run.of(List.of("exec", "--help"), Map.of());

        assertThat(run.status).isZero();
        assertThat(run.out).contains("Usage: stint exec", "--db-role=ROLE", "--ci=PLATFORM");
        assertThat(run.err).isEmpty();
    }

    private static void assertRefused(Row row) {
        Run run = Run.of(row.args().stream().map(a -> a.endsWith(".jwk") ? dir.resolve(a).toString() : a).toList(),
                row.env());

        assertThat(run.status).as(run.err).isEqualTo(row.exitCode());
        assertThat(run.err).isEqualTo(row.stderr() + "\n");
        assertThat(run.out).isEmpty();
    }

    /** One in-process run of stint, with what it printed. */
    record Run(int status, String out, String err) {
        static Run of(List<String> args, Map<String, String> env) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = new Stint(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC())
                    .run(args.toArray(String[]::new));
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
