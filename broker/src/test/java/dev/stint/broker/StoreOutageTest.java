package dev.stint.broker;

import static dev.stint.broker.ClientLoad.from;
import static dev.stint.broker.ClientLoad.issued;
import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose PostgreSQL store goes away: while it is gone every answer is 503 with
 * {@code Retry-After} and nothing is issued that the audit log does not hold; when it is back the
 * broker serves again by itself. A broker that cannot reach its store at start-up does not start.
 * The broker runs as a JVM of its own, on a PostgreSQL server this test stops and starts again.
 */
class StoreOutageTest {

    private static final String DATABASE = "stint";
    private static final String USER = "postgres";

    @TempDir
    Path work;

    BrokerProcess broker;
    RestartablePostgres postgres;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    @Test
    void storeDownAnswers503WithRetryAfterAndNeverIssuesAnUnauditedToken() {
        postgres = RestartablePostgres.start(work.resolve("postgres"), DATABASE);
        Path deployment = BrokerProcess.writeDeployment(work.resolve("config"), postgres.port(), DATABASE, USER,
                "the test server trusts any");
        broker = BrokerProcess.start(work.resolve("data"), "--config", deployment.toString());
        String admin = broker.adminToken();
        TestAgent agent = TestAgent.generate("demo-agent");
        broker.register(admin, agent);
        String agentToken = broker.login(agent);
        String taskId = broker.openTask(agentToken);

        List<ClientLoad.Answer> answers;
        HttpResponse<String> healthWhileDown;
        long down;
        long up;
        try (ClientLoad load = new ClientLoad()
                .add("mint", 3, () -> broker.mint(agentToken, taskId))
                .add("login", 1, () -> broker.requestAgentToken(agent))) {
            assertThat(load.await(issued(), 30, Duration.ofSeconds(30))).isTrue();

            postgres.stop();
            down = System.nanoTime();
            healthWhileDown = broker.get("/health", null);
            assertThat(load.await(a -> a.sentAfter(down), 8, Duration.ofSeconds(30))).isTrue();

            postgres.start();
            up = System.nanoTime();
            assertThat(load.await(from("mint").and(issued()).and(a -> a.sentAfter(up)), 20,
                    Duration.ofSeconds(30))).isTrue();
            load.stop();
            answers = load.answers(a -> true);
        }

        assertThat(healthWhileDown.statusCode()).isEqualTo(503);
        assertThat(BrokerProcess.json(healthWhileDown, 503).get("status").asText()).isEqualTo("unavailable");
        // Every request was answered, as issued or as unavailable: never a 500, a refusal or silence.
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isIn(200, 503));
        List<ClientLoad.Answer> whileDown = answers.stream()
                .filter(a -> a.sentAfter(down) && a.answeredBefore(up)).toList();
        assertThat(whileDown).isNotEmpty().allSatisfy(StoreOutageTest::isUnavailableProblem);
        Duration slowest = whileDown.stream().map(ClientLoad.Answer::took).max(Duration::compareTo).orElseThrow();
        assertThat(slowest).isLessThanOrEqualTo(Duration.ofSeconds(5));
        Duration resumed = answers.stream().filter(from("mint").and(issued()).and(a -> a.sentAfter(up)))
                .map(a -> Duration.ofNanos(a.answeredNanos() - up)).min(Duration::compareTo).orElseThrow();
        assertThat(resumed).isLessThanOrEqualTo(Duration.ofSeconds(10));
        System.out.println("store outage: " + whileDown.size() + " answers while down, slowest " + slowest.toMillis()
                + " ms; first token " + resumed.toMillis() + " ms after the store was back");

        Set<String> recorded = broker.recordedTokenIds(admin);
        assertThat(recorded).containsAll(ClientLoad.taskTokenIds(answers.stream()
                .filter(from("mint").and(issued())).toList()));
        Set<String> logins = answers.stream().filter(from("login").and(issued()))
                .flatMap(a -> a.token().stream())
                .map(token -> broker.introspect(admin, token))
                .map(introspected -> introspected.path("jti").asText("(not known: " + introspected + ")"))
                .collect(Collectors.toSet());
        assertThat(recorded).containsAll(logins);
        assertThat(broker.auditChainValid(admin)).isTrue();
    }

    @Test
    void brokerThatCannotReachItsStoreDoesNotStartAndNamesWhereItLookedButNotThePassword() {
        int nothingListens = BrokerProcess.freePort();
        String password = "secret-" + UUID.randomUUID();
        Path deployment = BrokerProcess.writeDeployment(work.resolve("config"), nothingListens, DATABASE, USER,
                password);

        broker = BrokerProcess.launch(work.resolve("data"), "--config", deployment.toString());

        assertThat(broker.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(broker.output())
                .contains("the broker did not start: cannot open the PostgreSQL store")
                .contains("127.0.0.1:" + nothingListens)
                .doesNotContain(password);
    }

    /** 503, a problem (in the OAuth shape on {@code /oauth2/*}), with {@code Retry-After}. */
    private static void isUnavailableProblem(ClientLoad.Answer answer) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(503);
        assertThat(answer.retryAfter()).as(answer.toString()).isPresent();
        assertThat(answer.contentType()).as(answer.toString())
                .isEqualTo(answer.client().equals("login") ? "application/json" : "application/problem+json");
        assertThat(answer.json().get("status").asInt()).as(answer.toString()).isEqualTo(503);
    }

    /** A PostgreSQL server of this test's own, stopped and started again on the same port and data directory. */
    private static final class RestartablePostgres {

        private final Path dataDir;
        private final int port;
        private EmbeddedPostgres server;

        private RestartablePostgres(Path dataDir, int port) {
            this.dataDir = dataDir;
            this.port = port;
        }

        /** Starts a new server on a free port and creates the empty database {@code database} on it. */
        static RestartablePostgres start(Path dataDir, String database) {
            RestartablePostgres postgres = new RestartablePostgres(dataDir, BrokerProcess.freePort());
            postgres.start();
            try (Connection c = postgres.server.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.executeUpdate("CREATE DATABASE " + database);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return postgres;
        }

        int port() {
            return port;
        }

        /** Starts the server (again): its data survive. */
        void start() {
            try {
                server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDir)
                        .setCleanDataDirectory(false).setServerConfig("fsync", "off").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stops the server at once (fast shutdown: open sessions are ended), and waits until it is down. */
        void stop() {
            if (server == null) {
                return;
            }
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = null;
        }
    }
}
