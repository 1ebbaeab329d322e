package dev.stint.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.pgroles.AdminDatabase;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.sdk.AgentKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IncidentReplay} against a real broker and a real PostgreSQL: with the sample policy the
 * incident is stopped at every step; with a policy that leaves a hole, the replay says which.
 */
class IncidentReplayTest {

    /** The sample policy's dev backend for orders-readonly; each test replaces it with one on the test schema. */
    static final String SAMPLE_DEV_ROLE =
            "dev:  { provider: postgres, grants: \"SELECT ON ALL TABLES IN SCHEMA public\" }";
    /**
     * The sample's read-only role on the test database's schema. Membership of password_checked
     * makes the server check the login's password (the test server trusts other local logins).
     */
    static final String READ_ONLY_ROLE = "dev:  { provider: postgres, grants: [\"USAGE ON SCHEMA app\","
            + " \"SELECT ON TABLE app.orders\"], in_roles: [password_checked] }";
    static final Pattern LOGIN = Pattern.compile("login (stint_dev_[0-9a-f]+) ");

    /** The incident as the sample policy meets it: one replay, each outcome its own test. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithTheSamplePolicy {

        Replay replay;

        @BeforeAll
        void runOnce(@TempDir Path dir) throws Exception {
            replay = Replay.run(dir, policy -> policy.replace(SAMPLE_DEV_ROLE, READ_ONLY_ROLE));
        }

        @AfterAll
        void stop() throws Exception {
            replay.close();
        }

        @Test
        void exitsZeroSayingTheIncidentWasStopped() {
            assertThat(replay.status).as(replay.err).isZero();
            assertThat(replay.err).isEmpty();
            assertThat(replay.out)
                    .endsWith("STOPPED: every step went as the incident demands" + System.lineSeparator());
        }

        @Test
        void prodTaskIsRefusedWithThePolicysReasonAndNothingIsIssuedThere() throws Exception {
            assertThat(replay.out).contains("1. it asks for a prod task with db:orders:read")
                    .contains("   refused: HTTP 403 urn:stint:problem:policy-denied: scope db:orders:read is not"
                            + " granted to agent cleanup-bot in tier prod\n")
                    .contains("   nothing issued: no prod task, so no prod login\n");
            List<JsonNode> prod = replay.audit().stream().filter(r -> "prod".equals(r.path("tier").asText())).toList();
            assertThat(prod).extracting(r -> r.get("action").asText() + " " + r.get("decision").asText())
                    .containsExactly("task.open deny");
        }

        @Test
        void devLoginReadsTheRows() {
            assertThat(replay.out).contains("   login " + replay.username() + " (lease ")
                    .contains(", tier dev) at jdbc:postgresql://localhost:" + PostgresTestDatabase.port() + "/"
                            + replay.db.database + ", expires ")
                    .contains("   SELECT * FROM app.orders: read 2 rows\n");
        }

        @Test
        void dropTableAndDeleteFailForLackOfPermissionAndTheRowsStay() throws Exception {
            assertThat(replay.out)
                    .contains("   DROP TABLE app.orders: refused by PostgreSQL (42501 ERROR: must be owner of"
                            + " table orders)\n")
                    .contains("   DELETE FROM app.orders: refused by PostgreSQL (42501 ERROR: permission denied"
                            + " for table orders)\n");
            assertThat(replay.db.superuserQuery("SELECT count(*) FROM app.orders")).contains("2");
        }

        @Test
        void endingTheTaskKillsTheOpenSessionAndTheLoginIsGone() throws Exception {
            assertThat(replay.out).contains("3. it ends its task\n")
                    .containsPattern("   lease \\S+ revoked at \\S+\n")
                    // Terminated by the server (57P01), or found gone (08xxx) if its message was lost.
                    .containsPattern("   its open session: killed \\((57P01|08\\w{3}) ")
                    .contains("   a new login as " + replay.username() + ": refused (28");
            assertThat(replay.db.roleExists(replay.username())).isFalse();
            assertThat(replay.db.superuserQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '"
                    + replay.username() + "'")).contains("0");
        }

        @Test
        void noPasswordAppearsInTheOutput() {
            String password = replay.passwords.get(replay.username());

            assertThat(password).isNotBlank();
            assertThat(replay.out + replay.err).doesNotContain(password)
                    .doesNotContain(AdminDatabase.ADMIN_PASSWORD);
        }
    }

    /** Policies with a hole: the replay must fail, say where in one line, and leave nothing behind. */
    @Nested
    class WithAPolicyThatLeavesAHole {

        @TempDir
        Path dir;

        @Test
        void prodGrantedToTheCleanupAgentFailsStepOneAndTheProdTaskIsEnded() throws Exception {
            try (Replay replay = Replay.run(dir, policy -> policy.replace(SAMPLE_DEV_ROLE, READ_ONLY_ROLE)
                    .replace("  cleanup-bot:\n", "  cleanup-bot:\n    prod:    [\"db:orders:read\"]\n"))) {
                assertThat(replay.status).isEqualTo(1);
                assertThat(replay.err).startsWith("NOT STOPPED: step 1: the broker opened prod task ")
                        .endsWith(" for the cleanup agent (ended it again)" + System.lineSeparator())
                        .hasLineCount(1);
                assertThat(replay.audit()).filteredOn(r -> "prod".equals(r.path("tier").asText()))
                        .extracting(r -> r.get("action").asText() + " " + r.get("decision").asText())
                        .containsExactly("task.open allow", "task.end allow");
            }
        }

        @Test
        void aDevLoginThatMayDeleteFailsStepTwoDeletesNothingAndIsDropped() throws Exception {
            try (Replay replay = Replay.run(dir, policy -> policy.replace(SAMPLE_DEV_ROLE, READ_ONLY_ROLE
                    .replace("SELECT ON TABLE app.orders", "SELECT, DELETE ON TABLE app.orders")))) {
                assertThat(replay.status).isEqualTo(1);
                assertThat(replay.err).isEqualTo("NOT STOPPED: step 2: DELETE FROM app.orders succeeded with the"
                        + " dev read-only login (rolled back)" + System.lineSeparator());
                assertThat(replay.db.superuserQuery("SELECT count(*) FROM app.orders")).contains("2");
                assertThat(replay.db.roleExists(replay.username())).isFalse();
            }
        }
    }

    @Test
    void aBrokerThatIsNotThereCannotBeReplayed(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path key = dir.resolve("agent.jwk");
        AgentKeys.writePrivate(AgentKeys.generate(), key);
        Output output = new Output();

        int status = output.replay(Map.of("STINT_URL", "http://127.0.0.1:" + port), Clock.systemUTC())
                .run(new String[] {"--key", key.toString()});

        assertThat(status).isEqualTo(2);
        assertThat(output.err()).startsWith("could not replay: broker unavailable: ");
    }

    @Test
    void aTableNameThatIsNotAPlainNameIsAUsageError() {
        Output output = new Output();

        int status = output.replay(Map.of(), Clock.systemUTC())
                .run(new String[] {"--table", "orders; DROP TABLE orders"});

        assertThat(status).isEqualTo(2);
        assertThat(output.err()).startsWith("table must be a lower-case name, table or schema.table; got"
                + " 'orders; DROP TABLE orders'");
    }

    /** What the program printed, and the program writing there. */
    static final class Output {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        IncidentReplay replay(Map<String, String> env, Clock clock) {
            return new IncidentReplay(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), clock);
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** One run of the replay: its database, its broker, its exit status and output, and the passwords it used. */
    static final class Replay implements AutoCloseable {
        final AdminDatabase db;
        final BrokerHarness broker;
        final int status;
        final String out;
        final String err;
        /** User → password, for every login the replay made through JDBC. */
        final Map<String, String> passwords;

        private Replay(AdminDatabase db, BrokerHarness broker, int status, String out, String err,
                Map<String, String> passwords) {
            this.db = db;
            this.broker = broker;
            this.status = status;
            this.out = out;
            this.err = err;
            this.passwords = passwords;
        }

        /** Starts a broker whose policy is {@code changePolicy} of the sample, registers the agent, replays. */
        static Replay run(Path dir, UnaryOperator<String> changePolicy) throws Exception {
            AdminDatabase db = AdminDatabase.create();
            String sample = Files.readString(BrokerHarness.SAMPLE_POLICY);
            String changed = changePolicy.apply(sample);
            assertThat(changed).as("the sample policy still has the line the test replaces").isNotEqualTo(sample);
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, changed);
            Deployment deployment = db.deployment(PostgresTestDatabase.port(), dir);
            BrokerHarness broker = BrokerHarness.start(dir.resolve("data"), policy, new MutableClock(Instant.now()),
                    o -> o.withDeployment(deployment));
            try {
                // Registered for prod too: as in the incident, the identity itself reaches prod, and
                // only the policy's grants stand in the way.
                TestAgent agent = broker.registerAgent("cleanup-bot", "dev", "staging", "prod");
                Path key = dir.resolve("agent.jwk");
                AgentKeys.writePrivate(agent.key(), key);
                Output output = new Output();
                try (PasswordRecorder recorder = new PasswordRecorder()) {
                    // The broker's clock, which the test holds still: the agent's assertions agree with it.
                    int status = output.replay(Map.of("STINT_URL", broker.issuer()), broker.clock())
                            .run(new String[] {"--key", key.toString(), "--table", "app.orders"});
                    recorder.passwords.keySet().forEach(db::remember);
                    return new Replay(db, broker, status, output.out(), output.err(), Map.copyOf(recorder.passwords));
                }
            } catch (Exception | AssertionError e) {
                broker.close();
                db.dropLeftovers();
                throw e;
            }
        }

        /** The dev login's user name, as the replay printed it. */
        String username() {
            Matcher m = LOGIN.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            return m.group(1);
        }

        /** The broker's audit records of the agent, as the security team would query them. */
        List<JsonNode> audit() {
            BrokerHarness.Response audit = broker.get("/v1/audit?agent_id=cleanup-bot", broker.adminToken());
            assertThat(audit.status()).isEqualTo(200);
            return StreamSupport.stream(audit.json().get("records").spliterator(), false).toList();
        }

        @Override
        public void close() throws SQLException {
            broker.close();
            db.dropLeftovers();
        }
    }

    /**
     * Stands in front of the PostgreSQL driver while the replay runs and keeps the password of
     * each task login that connects, so a test can look for it in the output: the replay sees
     * the password only in memory, and PostgreSQL keeps only its SCRAM verifier.
     */
    static final class PasswordRecorder implements Driver, AutoCloseable {
        final Map<String, String> passwords = new ConcurrentHashMap<>();
        private final Driver postgres;

        PasswordRecorder() throws SQLException {
            postgres = DriverManager.getDriver("jdbc:postgresql://localhost/postgres");
            // Registered before the real one leaves, so no connection in between finds no driver.
            DriverManager.registerDriver(this);
            DriverManager.deregisterDriver(postgres);
        }

        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            String user = info.getProperty("user");
            if (user != null && user.startsWith("stint_dev_") && info.getProperty("password") != null) {
                passwords.put(user, info.getProperty("password"));
            }
            return postgres.connect(url, info);
        }

        @Override
        public boolean acceptsURL(String url) throws SQLException {
            return postgres.acceptsURL(url);
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
            return postgres.getPropertyInfo(url, info);
        }

        @Override
        public int getMajorVersion() {
            return postgres.getMajorVersion();
        }

        @Override
        public int getMinorVersion() {
            return postgres.getMinorVersion();
        }

        @Override
        public boolean jdbcCompliant() {
            return postgres.jdbcCompliant();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return postgres.getParentLogger();
        }

        @Override
        public void close() throws SQLException {
            DriverManager.registerDriver(postgres);
            DriverManager.deregisterDriver(this);
        }
    }
}
