package dev.stint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stint.broker.federation.CiIssuerStub;
import dev.stint.cli.CommandLineRefusalTest.Run;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * stint in a CI job with no key at all: the job's OIDC token (from a stub of GitHub's token
 * request URL, or GitLab's id_tokens variable) exchanged at a real broker whose federation rules
 * map it to a key-less agent, against local OIDC issuers with the platforms' claims.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CiExecEndToEndTest {

    static final String GITHUB_AGENT = "ci-deployer";
    static final String GITLAB_AGENT = "ci-gitlab";
    static final ObjectMapper JSON = new ObjectMapper();

    CiIssuerStub githubIssuer;
    CiIssuerStub gitlabIssuer;
    GithubTokenService github;
    BrokerFixture fixture;

    @TempDir
    Path dir;

    @BeforeAll
    void start(@TempDir Path brokerDir) throws Exception {
        githubIssuer = CiIssuerStub.start("/github");
        gitlabIssuer = CiIssuerStub.start("/gitlab");
        github = new GithubTokenService(githubIssuer);
        int port = freePort();
        String issuer = "http://127.0.0.1:" + port;
        fixture = BrokerFixture.start(brokerDir, policy -> policy
                .replace("  cleanup-bot:\n", "  " + GITHUB_AGENT + ":\n    dev:     [\"db:orders:read\"]\n"
                        + "  " + GITLAB_AGENT + ":\n    dev:     [\"db:orders:read\"]\n  cleanup-bot:\n")
                + """

                federation:
                  - issuer: %1$s
                    audience: %3$s
                    agent: %4$s
                    claims: { repository_id: "892734", ref: refs/heads/main, event_name: [push] }
                  - issuer: %2$s
                    audience: %3$s
                    agent: %5$s
                    claims: { project_id: "77", ref_protected: "true" }
                """.formatted(githubIssuer.issuer(), gitlabIssuer.issuer(), issuer, GITHUB_AGENT, GITLAB_AGENT),
                Set.of(githubIssuer.issuer(), gitlabIssuer.issuer()), port);
        fixture.registerKeylessAgent(GITHUB_AGENT);
        fixture.registerKeylessAgent(GITLAB_AGENT);
    }

    @AfterAll
    void stop() throws Exception {
        fixture.close();
        github.close();
        githubIssuer.close();
        gitlabIssuer.close();
    }

    @BeforeEach
    void clock() {
        fixture.clockToNow();
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    Map<String, String> githubJob() {
        Map<String, String> env = new HashMap<>(github.runnerEnvironment());
        env.put("STINT_BROKER", fixture.broker.issuer());
        return env;
    }

    Map<String, String> gitlabJob(String idToken) {
        return Map.of("STINT_BROKER", fixture.broker.issuer(), "GITLAB_CI", "true", "STINT_ID_TOKEN", idToken);
    }

    String gitlabIdToken() {
        return gitlabIssuer.sign(gitlabIssuer.gitlabClaims(fixture.broker.issuer(), Instant.now()));
    }

    StintProcess exec(Map<String, String> env, WaitingChild child, String ci) throws Exception {
        List<String> args = new ArrayList<>(List.of("exec", "--ci", ci, "--tier", "dev", "--scope", "db:orders:read",
                "--db-role", "orders-readonly", "--"));
        args.addAll(child.command());
        return StintProcess.start(dir, env, args);
    }

    @Test
    void githubJobRunsItsCommandWithTheTasksLoginAndTheLoginIsGoneAfter() throws Exception {
        WaitingChild child = new WaitingChild(dir.resolve("child"));
        StintProcess stint = exec(githubJob(), child, "github");
        Map<String, String> env = child.awaitEnvironment(stint);

        int rows = BrokerFixture.ordersAs(env);
        child.release(0);

        assertThat(rows).isEqualTo(2);
        assertThat(stint.awaitExit()).as(stint.stderr()).isZero();
        fixture.db.remember(env.get("PGUSER"));
        assertThat(fixture.db.roleExists(env.get("PGUSER"))).isFalse();
        assertThat(stint.stdout().lines().filter(line -> line.startsWith("::add-mask::")))
                .contains("::add-mask::" + env.get("STINT_TOKEN"), "::add-mask::" + env.get("PGPASSWORD"),
                        "::add-mask::" + env.get("DATABASE_URL").replace("%", "%25"));
    }

    @Test
    void githubIsAskedForATokenForTheBrokersIssuerWithTheRunnersRequestToken() {
        int before = github.requests().size();

        Run run = Run.of(List.of("token", "--ci", "github"), githubJob());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(github.requests()).hasSize(before + 1).last().satisfies(request -> {
            assertThat(request.queryParameter("audience").firstValue()).isEqualTo(fixture.broker.issuer());
            assertThat(request.getHeader("Authorization")).isEqualTo("bearer " + GithubTokenService.REQUEST_TOKEN);
        });
    }

    @Test
    void githubJobsTaskBelongsToTheAgentTheFederationRuleNames() throws Exception {
        Run run = Run.of(List.of("task", "open", "--ci", "github", "--tier", "dev", "--scope", "db:orders:read"),
                githubJob());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(JSON.readTree(run.out()).get("agent_id").asText()).isEqualTo(GITHUB_AGENT);
    }

    @Test
    void gitlabJobsTaskIsCutToEndWhileItsOneAgentTokenIsGood() throws Exception {
        WaitingChild child = new WaitingChild(dir.resolve("gitlab-child"));
        Instant started = Instant.now();
        StintProcess stint = exec(gitlabJob(gitlabIdToken()), child, "gitlab");
        Map<String, String> env = child.awaitEnvironment(stint);

        int rows = BrokerFixture.ordersAs(env);
        child.release(0);

        assertThat(rows).isEqualTo(2);
        assertThat(stint.awaitExit()).as(stint.stderr()).isZero();
        // 5-minute agent token, renewed 30 s early; the end needs 25 s more: at most 245 s.
        assertThat(Instant.parse(env.get("STINT_DEADLINE"))).isBefore(started.plus(Duration.ofSeconds(246)));
        assertThat(stint.stderr()).contains("stint: the job's ID token can be exchanged only once, so the agent token"
                + " cannot be renewed: the task lasts at most ");
        fixture.db.remember(env.get("PGUSER"));
        assertThat(fixture.db.roleExists(env.get("PGUSER"))).isFalse();
    }

    @Test
    void gitlabIdTokenIsExchangedOnceOnly() {
        Map<String, String> job = gitlabJob(gitlabIdToken());

        Run first = Run.of(List.of("token", "--ci", "gitlab"), job);
        Run second = Run.of(List.of("token", "--ci", "gitlab"), job);

        assertThat(first.status()).as(first.err()).isZero();
        assertThat(second.status()).isEqualTo(1);
        assertThat(second.err()).startsWith("stint: token exchange rejected: subject_token was already exchanged")
                .hasLineCount(1);
    }

    @Test
    void githubTokenServiceThatIsDownExits69() throws Exception {
        Map<String, String> job = githubJob();
        job.put("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:" + freePort() + "/token?api-version=2.0");

        Run run = Run.of(List.of("token", "--ci", "github"), job);

        assertThat(run.status()).isEqualTo(69);
        assertThat(run.err()).startsWith("stint: token exchange failed: no subject token: GitHub's OIDC token request"
                + " to 127.0.0.1 failed: ConnectException").hasLineCount(1);
    }

    @Test
    void jobThatNoRuleMatchesExitsOneWithTheBrokersReason() {
        Map<String, Object> other = new java.util.LinkedHashMap<>(gitlabIssuer.gitlabClaims(fixture.broker.issuer(),
                Instant.now()));
        other.put("project_id", "78");

        Run run = Run.of(List.of("token", "--ci", "gitlab"), gitlabJob(gitlabIssuer.sign(other)));

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("stint: token exchange rejected: ").hasLineCount(1);
    }
}
