package dev.stint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stint exec} as a real process against a real broker and a real PostgreSQL: the command
 * logs in with what it was given, and however it ends, the task is ended and its database login
 * is gone when stint exits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecEndToEndTest {

    static final List<String> EXEC = List.of("exec", "--tier", "dev", "--scope", "db:orders:read",
            "--db-role", "orders-readonly", "--");

    BrokerFixture fixture;

    @TempDir
    Path dir;

    @BeforeAll
    void startBroker(@TempDir Path brokerDir) throws Exception {
        fixture = BrokerFixture.start(brokerDir);
    }

    @AfterAll
    void stopBroker() throws Exception {
        fixture.close();
    }

    /** stint exec running the waiting child, and the child. */
    record Run(StintProcess stint, WaitingChild child) {
    }

    Run exec(Map<String, String> extraEnv, String... options) throws Exception {
        WaitingChild child = new WaitingChild(dir.resolve("child"));
        List<String> args = new ArrayList<>(EXEC.subList(0, EXEC.size() - 1));
        args.addAll(List.of(options));
        args.add("--");
        args.addAll(child.command());
        Map<String, String> env = new HashMap<>(fixture.keyLogin());
        env.putAll(extraEnv);
        fixture.clockToNow();
        return new Run(StintProcess.start(dir, env, args), child);
    }

    Run exec() throws Exception {
        return exec(Map.of());
    }

    boolean roleExists(Map<String, String> childEnv) throws Exception {
        fixture.db.remember(childEnv.get("PGUSER"));
        return fixture.db.roleExists(childEnv.get("PGUSER"));
    }

    @Test
    void commandLogsInWithTheDatabaseLoginItWasGiven() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());

        int rows = BrokerFixture.ordersAs(env);
        run.child().release(0);

        assertThat(rows).isEqualTo(2);
        assertThat(run.stint().awaitExit()).isZero();
    }

    @Test
    void commandGetsTheTasksVariables() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());
        run.child().release(0);
        run.stint().awaitExit();

        String taskId = env.get("STINT_TASK_ID");
        BrokerHarness.Response task = fixture.broker.get("/v1/tasks/" + taskId + "?agent_id=" + BrokerFixture.AGENT,
                fixture.broker.adminToken());
        assertThat(task.text("deadline")).isEqualTo(env.get("STINT_DEADLINE"));
        assertThat(Instant.parse(env.get("STINT_DEADLINE"))).isAfter(Instant.now());
        assertThat(env.get("STINT_TOKEN")).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        assertThat(env.get("DATABASE_URL")).startsWith("postgresql://" + env.get("PGUSER") + ":")
                .endsWith("@" + env.get("PGHOST") + ":" + env.get("PGPORT") + "/" + env.get("PGDATABASE"));
        assertThat(env).doesNotContainKey("STINT_KEY_FILE");
    }

    @Test
    void theTaskTokenWorksAtTheBrokerWhileTheCommandRuns() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());

        boolean active = fixture.broker.introspect(env.get("STINT_TOKEN")).json().get("active").asBoolean();
        run.child().release(0);
        run.stint().awaitExit();

        assertThat(active).isTrue();
        assertThat(fixture.broker.introspect(env.get("STINT_TOKEN")).json().get("active").asBoolean()).isFalse();
    }

    @Test
    void loginIsGoneAfterTheCommandExitsZero() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());
        run.child().release(0);

        assertThat(run.stint().awaitExit()).isZero();
        assertThat(roleExists(env)).isFalse();
        assertThat(run.stint().stderr()).endsWith("stint: task " + env.get("STINT_TASK_ID")
                + " ended; its database login is gone (exit 0)\n");
    }

    @Test
    void childExitCodeIsPassedOn() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());
        run.child().release(3);

        assertThat(run.stint().awaitExit()).isEqualTo(3);
        assertThat(roleExists(env)).isFalse();
    }

    @Test
    void sigtermToStintIsPassedToTheCommandAndTheLoginIsGone() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());

        run.stint().process.destroy(); // SIGTERM

        assertThat(run.stint().awaitExit()).isEqualTo(143);
        assertThat(roleExists(env)).isFalse();
        assertThat(ProcessHandle.of(run.child().pid(run.stint()))).isEmpty();
    }

    @Test
    void commandKilledBySigkillExits137AndTheLoginIsGone() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());

        ProcessHandle.of(run.child().pid(run.stint())).orElseThrow().destroyForcibly(); // SIGKILL

        assertThat(run.stint().awaitExit()).isEqualTo(137);
        assertThat(roleExists(env)).isFalse();
    }

    @Test
    void tokenFileIsPrivateWhileTheCommandRunsAndGoneAfter() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());
        Path file = Path.of(env.get("STINT_TOKEN_FILE"));

        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        String directoryMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()));
        String content = Files.readString(file);
        run.child().release(0);
        run.stint().awaitExit();

        assertThat(mode).isEqualTo("rw-------");
        assertThat(directoryMode).isEqualTo("rwx------");
        assertThat(content).isEqualTo(env.get("STINT_TOKEN"));
        assertThat(file.getParent()).doesNotExist();
        assertThat(file.getParent().getParent()).isEqualTo(dir.resolve("tmp"));
    }

    @Test
    void noSecretReachesStdoutOrStderr() throws Exception {
        Run run = exec();
        Map<String, String> env = run.child().awaitEnvironment(run.stint());
        run.child().release(0);
        run.stint().awaitExit();

        assertThat(run.stint().stdout()).isEqualTo(WaitingChild.STARTED + "\n");
        assertThat(run.stint().stderr()).doesNotContain(env.get("STINT_TOKEN")).doesNotContain(env.get("PGPASSWORD"))
                .doesNotContain(env.get("DATABASE_URL"));
        assertThat(run.stint().stderr().lines()).allMatch(line -> line.startsWith("stint: "));
    }

    @Test
    void underGithubActionsEverySecretIsMaskedBeforeTheCommandStarts() throws Exception {
        Run run = exec(Map.of("GITHUB_ACTIONS", "true"));
        Map<String, String> env = run.child().awaitEnvironment(run.stint());
        run.child().release(0);
        run.stint().awaitExit();

        List<String> lines = run.stint().stdout().lines().toList();
        List<String> secrets = List.of(env.get("STINT_TOKEN"), env.get("PGPASSWORD"), env.get("DATABASE_URL"));
        assertThat(lines).last().isEqualTo(WaitingChild.STARTED);
        assertThat(lines.subList(0, lines.size() - 1)).allMatch(line -> line.startsWith("::add-mask::"))
                .containsAll(secrets.stream().map(s -> "::add-mask::" + s.replace("%", "%25")).toList());
        assertThat(Stream.concat(lines.stream(), run.stint().stderr().lines())
                .filter(line -> !line.startsWith("::add-mask::")))
                .allMatch(line -> secrets.stream().noneMatch(line::contains));
    }

    @Test
    void deadlineStopsTheCommandAndEndsTheTask() throws Exception {
        Run run = exec(Map.of(), "--ttl", "3s");
        Map<String, String> env = run.child().awaitEnvironment(run.stint());

        int status = run.stint().awaitExit(); // the child is never released

        assertThat(status).isEqualTo(124);
        assertThat(run.stint().stderr()).contains("stint: task " + env.get("STINT_TASK_ID") + " reached its deadline "
                + env.get("STINT_DEADLINE") + ": stopping sh (SIGTERM, then SIGKILL after 10 s)\n");
        assertThat(roleExists(env)).isFalse();
    }

    @Test
    void execInsideExecIsRefused() throws Exception {
        Run run = exec(Map.of("STINT_TASK_ID", "tsk_outer"));

        assertThat(run.stint().awaitExit()).isEqualTo(2);
        assertThat(run.stint().stderr()).isEqualTo("stint: refusing to run inside another stint exec (STINT_TASK_ID is"
                + " set: task tsk_outer); its command already has a task\n");
        assertThat(run.stint().stdout()).isEmpty();
    }

    @Test
    void aCommandThatIsNotThereExits127AndEndsTheTask() throws Exception {
        Map<String, String> env = new HashMap<>(fixture.keyLogin());
        fixture.clockToNow();
        StintProcess stint = StintProcess.start(dir, env, List.of("exec", "--tier", "dev", "--scope", "db:orders:read",
                "--", "no-such-command-here"));

        assertThat(stint.awaitExit()).isEqualTo(127);
        assertThat(stint.stderr()).contains("stint: cannot run no-such-command-here: command not found\n")
                .containsPattern("stint: task tsk_\\w+ ended\n");
    }

    @Test
    void taskRefusedByPolicyExitsOneAndRunsNothing() throws Exception {
        fixture.clockToNow();
        StintProcess stint = StintProcess.start(dir, fixture.keyLogin(), List.of("exec", "--tier", "dev", "--scope",
                "db:orders:ddl", "--", "touch", dir.resolve("ran").toString()));

        assertThat(stint.awaitExit()).isEqualTo(1);
        assertThat(stint.stderr()).isEqualTo("stint: task open request (tier dev) rejected: scope db:orders:ddl is not"
                + " granted to agent demo-agent in tier dev (HTTP 403, urn:stint:problem:policy-denied)\n");
        assertThat(dir.resolve("ran")).doesNotExist();
    }
}
