package dev.stint.broker.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.http.LogCapture;
import dev.stint.broker.pgroles.AdminDatabase;
import dev.stint.broker.store.PostgresTestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's database login through the built-in PostgreSQL provider, on a real server, from the
 * HTTP request to the login's end: it reads what the policy grants and nothing more, and when the
 * task ends its session is killed and its role dropped.
 */
class DatabaseCredentialsEndToEndTest {

    @TempDir
    Path dir;

    AdminDatabase db;
    MutableClock clock = new MutableClock(Instant.now());
    BrokerHarness broker;
    String agentToken;
    String taskId;

    @BeforeEach
    void start() throws Exception {
        db = AdminDatabase.create();
        startBroker(PostgresTestDatabase.port());
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
        taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
    }

    private void startBroker(int port) throws Exception {
        String sample = Files.readString(BrokerHarness.SAMPLE_POLICY);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, sample.replace(
                "dev:  { provider: postgres, grants: \"SELECT ON ALL TABLES IN SCHEMA public\" }",
                "dev:  { provider: postgres, grants: [\"USAGE ON SCHEMA app\", \"SELECT ON TABLE app.orders\"] }"));
        Deployment deployment = db.deployment(port, dir);
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock, o -> o.withDeployment(deployment));
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        db.dropLeftovers();
    }

    private JsonNode issue() {
        Response issued = broker.postJson("/v1/tasks/" + taskId + "/database-credentials",
                "{\"role\": \"orders-readonly\"}", agentToken);
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        JsonNode login = issued.json();
        db.remember(login.get("username").asText());
        return login;
    }

    private Connection connect(JsonNode login) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + login.get("host").asText() + ":"
                + login.get("port").asInt() + "/" + login.get("database").asText(), login.get("username").asText(),
                login.get("password").asText());
    }

    @Test
    void aTaskGetsALoginThatReadsWhatThePolicyGrantsAndNothingMore() throws Exception {
        JsonNode login = issue();

        assertThat(login.get("username").asText()).startsWith("stint_dev_");
        assertThat(login.get("database").asText()).isEqualTo(db.database);
        assertThat(login.get("tier").asText()).isEqualTo("dev");
        assertThat(login.get("role").asText()).isEqualTo("orders-readonly");
        assertThat(Instant.parse(login.get("expires_at").asText())).isBeforeOrEqualTo(clock.instant().plusSeconds(600));
        try (Connection c = connect(login); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM app.orders")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(2);
            }
            assertThatThrownBy(() -> s.execute("DROP TABLE app.orders")).hasMessageContaining("must be owner");
            assertThatThrownBy(() -> s.execute("DELETE FROM app.orders")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM app.payments"))
                    .hasMessageContaining("permission denied");
        }
        assertThat(db.roleExists(login.get("username").asText())).isTrue();
    }

    @Test
    void endingTheTaskKillsTheLoginsSessionAndDropsItsRole() throws Exception {
        JsonNode login = issue();
        Connection open = connect(login);

        Response ended = broker.postJson("/v1/tasks/" + taskId + "/end", "", agentToken);

        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.json().get("leases").get(0).get("state").asText()).isEqualTo("revoked");
        assertThat(db.roleExists(login.get("username").asText())).isFalse();
        assertThatThrownBy(() -> open.createStatement().executeQuery("SELECT 1")).isInstanceOf(Exception.class);
        open.close();
        Response refused = broker.postJson("/v1/tasks/" + taskId + "/database-credentials",
                "{\"role\": \"orders-readonly\"}", agentToken);
        assertThat(refused.status()).isEqualTo(409);
    }

    @Test
    void aLoginIsGoneSoonAfterItsTasksDeadline() throws Exception {
        JsonNode login = issue();

        clock.advance(Duration.ofSeconds(601));
        boolean gone = false;
        for (int i = 0; i < 100 && !gone; i++) {
            Thread.sleep(50); // waits for the broker's periodic sweep (real seconds), not for the clock
            gone = !db.roleExists(login.get("username").asText());
        }

        assertThat(gone).isTrue();
        // The role goes before the revocation is recorded: the record follows within moments.
        // The agent's own token has expired with the clock: the admin looks.
        String state = "";
        for (int i = 0; i < 100 && !state.equals("revoked"); i++) {
            Thread.sleep(20);
            Response leases = broker.get("/v1/tasks/" + taskId + "/leases?agent_id=demo-agent", broker.adminToken());
            state = leases.json().get("leases").get(0).get("state").asText();
        }
        assertThat(state).isEqualTo("revoked");
    }

    @Test
    void suspendingTheAgentDropsItsTasksLoginsWithinSeconds() throws Exception {
        JsonNode login = issue();

        Response suspended = broker.postJson("/v1/agents/demo-agent/suspend", "{\"reason\": \"incident\"}",
                broker.adminToken());
        assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
        boolean gone = false;
        for (int i = 0; i < 100 && !gone; i++) {
            Thread.sleep(50); // waits for the broker's periodic sweep (real seconds)
            gone = !db.roleExists(login.get("username").asText());
        }

        assertThat(gone).isTrue();
    }

    @Test
    void thePasswordIsInNoAuditRecordNorLogLine() throws Exception {
        JsonNode login;
        String logged;
        try (LogCapture log = new LogCapture()) {
            login = issue();
            broker.postJson("/v1/tasks/" + taskId + "/end", "", agentToken);
            logged = String.join("\n", log.all());
        }
        String password = login.get("password").asText();

        Response audit = broker.get("/v1/audit?task_id=" + taskId, broker.adminToken());
        assertThat(audit.body()).contains("db.credentials").doesNotContain(password)
                .doesNotContain(AdminDatabase.ADMIN_PASSWORD);
        assertThat(logged).doesNotContain(password).doesNotContain(AdminDatabase.ADMIN_PASSWORD);
        Response leases = broker.get("/v1/tasks/" + taskId + "/leases", agentToken);
        assertThat(leases.body()).doesNotContain(password);
    }

    @Test
    void aDatabaseThatIsDownAnswers503AndLeavesNoActiveLease() throws Exception {
        broker.close();
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        startBroker(closedPort);

        Response unavailable = broker.postJson("/v1/tasks/" + taskId + "/database-credentials",
                "{\"role\": \"orders-readonly\"}", agentToken);

        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(unavailable.text("detail")).contains("orders-dev").doesNotContain(AdminDatabase.ADMIN_PASSWORD);
        Response leases = broker.get("/v1/tasks/" + taskId + "/leases", agentToken);
        for (JsonNode lease : leases.json().get("leases")) {
            assertThat(lease.get("state").asText()).isNotEqualTo("active");
        }
        JsonNode health = broker.get("/health", null).json();
        assertThat(health.get("status").asText()).isEqualTo("degraded");
        JsonNode connection = health.get("backends").get("orders-dev");
        assertThat(connection.get("reachable").asBoolean(true)).isFalse();
        assertThat(connection.get("revocations_pending").asInt() + connection.get("revocations_failing").asInt())
                .isEqualTo(1);
        assertThat(connection.get("oldest_owed_age_seconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(health.toString()).doesNotContain(AdminDatabase.ADMIN_PASSWORD);
    }
}
