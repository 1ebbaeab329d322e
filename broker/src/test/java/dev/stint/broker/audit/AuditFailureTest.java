package dev.stint.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.store.EmbeddedStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promise 6 and 7: when the audit log cannot be written, nothing takes effect and the caller
 * gets 503, never the credential and never a 401 or 403. The failure is real: the audit table
 * of the running broker's own database refuses inserts.
 */
class AuditFailureTest {

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Connection database() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
    }

    private void breakAuditLog() throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log"
                    + " BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END");
        }
    }

    private void repairAuditLog() throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER audit_down");
        }
    }

    private long count(String table) throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertUnavailable(Response response) {
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.text("type")).isEqualTo("urn:stint:problem:unavailable");
        assertThat(response.headers().firstValue("Retry-After")).contains("5");
        assertThat(response.body()).doesNotContain("access_token");
    }

    @Test
    void mintFailsClosedWhenAuditCannotBeWritten() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        long tokensBefore = count("issued_tokens");
        breakAuditLog();

        Response response = broker.mint(agentToken, taskId);

        assertUnavailable(response);
        assertThat(count("issued_tokens")).isEqualTo(tokensBefore);
    }

    @Test
    void openFailsClosedWhenAuditCannotBeWritten() throws Exception {
        breakAuditLog();

        Response response = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L);

        assertUnavailable(response);
        assertThat(count("tasks")).isZero();
    }

    @Test
    void denialThatCannotBeRecordedIsAnsweredUnavailableNotForbidden() throws Exception {
        breakAuditLog();

        Response response = broker.openTask(agentToken, "dev", "[\"db:orders:ddl\"]", 600L);

        assertUnavailable(response);
    }

    @Test
    void agentLoginFailsClosedWhenAuditCannotBeWritten() throws Exception {
        TestAgent other = broker.registerAgent("cleanup-bot", "dev");
        long tokensBefore = count("issued_tokens");
        breakAuditLog();

        Response response = broker.requestAgentToken(other.assertion(broker.issuer(), clock.instant()));

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.text("error")).isEqualTo("temporarily_unavailable");
        assertThat(count("issued_tokens")).isEqualTo(tokensBefore);
    }

    @Test
    void brokerRecoversOnceAuditCanBeWrittenAgain() throws Exception {
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        breakAuditLog();
        assertUnavailable(broker.mint(agentToken, taskId));

        repairAuditLog();

        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);
        assertThat(broker.get("/v1/audit/verify", broker.adminToken()).json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void healthReportsTheStoreUnavailableWhileWritesFail() throws Exception {
        assertThat(broker.get("/health", null).status()).isEqualTo(200);
        breakAuditLog();
        assertUnavailable(broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L));

        Response health = broker.get("/health", null);

        assertThat(health.status()).isEqualTo(503);
        assertThat(health.text("status")).isEqualTo("unavailable");
        assertThat(health.text("store")).isEqualTo("unavailable");
        assertThat(health.text("store_writer")).isEqualTo("writes to the store are failing");
    }

    @Test
    void healthRecoversOnceAWriteCommitsAgain() throws Exception {
        breakAuditLog();
        assertUnavailable(broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L));
        repairAuditLog();

        assertThat(broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).status()).isEqualTo(201);

        assertThat(broker.get("/health", null).status()).isEqualTo(200);
    }
}
