package dev.stint.broker.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.pgroles.AdminDatabase;
import dev.stint.broker.store.PostgresTestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A freeze that starts while a task holds a database login for a frozen action, on a real
 * PostgreSQL server through the built-in provider: the task is ended by the freeze, the login's
 * session is killed and its role dropped, as when the task is ended by hand.
 */
class FreezeDropsDatabaseLoginTest {

    static final String REASON = "Quarter close";

    @TempDir
    Path dir;

    AdminDatabase db;
    // The server checks the role's VALID UNTIL on its own clock: the test's starts from the real one.
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    Instant freeze = clock.instant().plusSeconds(60);
    BrokerHarness broker;
    String agentToken;
    String taskId;

    @BeforeEach
    void start() throws Exception {
        db = AdminDatabase.create();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                tiers:
                  dev: { max_ttl: 8h, default_ttl: 1h }
                destructive_actions: [delete, ddl, admin]
                grants:
                  demo-agent:
                    dev: ["db:orders:read", "db:orders:delete"]
                freezes:
                  - tiers: [dev]
                    from: %s
                    until: %s
                    deny: [delete]
                    reason: %s
                database_roles:
                  orders-cleanup:
                    scope: db:orders:delete
                    dev: { provider: postgres, grants: ["USAGE ON SCHEMA app", "SELECT, DELETE ON TABLE app.orders"] }
                """.formatted(freeze, freeze.plusSeconds(3600), REASON));
        Deployment deployment = db.deployment(PostgresTestDatabase.port(), dir);
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock, o -> o.withDeployment(deployment));
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev"));
        taskId = broker.openTask(agentToken, "dev", "[\"db:orders:delete\"]", 600L).text("task_id");
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        db.dropLeftovers();
    }

    @Test
    void freezeThatStartsWhileATaskHoldsADatabaseLoginDropsItsRoleAndKillsItsSession() throws Exception {
        Response issued = broker.postJson("/v1/tasks/" + taskId + "/database-credentials",
                "{\"role\": \"orders-cleanup\"}", agentToken);
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        JsonNode login = issued.json();
        String username = login.get("username").asText();
        db.remember(username);
        Connection open = DriverManager.getConnection("jdbc:postgresql://" + login.get("host").asText() + ":"
                + login.get("port").asInt() + "/" + login.get("database").asText(), username,
                login.get("password").asText());
        assertThat(db.roleExists(username)).isTrue();

        clock.set(freeze);
        boolean gone = false;
        for (int i = 0; i < 200 && !gone; i++) {
            Thread.sleep(50); // waits for the broker's periodic sweep (real seconds), not for the clock
            gone = !db.roleExists(username);
        }

        assertThat(gone).as("role " + username + " dropped").isTrue();
        assertThatThrownBy(() -> open.createStatement().executeQuery("SELECT 1")).isInstanceOf(Exception.class);
        open.close();
        Response task = broker.get("/v1/tasks/" + taskId, broker.adminToken());
        assertThat(task.text("status")).isEqualTo("ended");
        assertThat(task.text("end_reason")).isEqualTo("ended by freeze \"" + REASON + "\" (dev: delete)");
        assertThat(broker.get("/v1/audit?task_id=" + taskId, broker.adminToken()).body())
                .contains("\"task.freeze\"").contains("1 database lease(s) revoking");
    }
}
