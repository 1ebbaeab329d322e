package dev.stint.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.auth.AssertionRows;
import dev.stint.broker.keys.KeyRows;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.TaskId;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The embedded SQLite store: the contract, plus what its schema itself refuses. */
class EmbeddedStoreTest extends StoreContract {

    @Override
    protected Store open(Vertx vertx, Path dir) throws Exception {
        return EmbeddedStore.open(vertx, dir);
    }

    private Connection direct() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedStore.FILE_NAME));
    }

    @Test
    void aSchemaNewerThanThisBrokerKnowsIsRefusedNamingBothVersions() throws Exception {
        store.close();
        try (Connection c = direct(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) VALUES (99, '99', 'from the future',"
                    + " 'SQL', 'V99__from_the_future.sql', 0, 'stint', 0, 1)");
        }

        assertThatThrownBy(() -> store = open(vertx, dir))
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("newer than this broker knows (version ");
    }

    @Test
    void ownAnnouncementsAreHeardOnceCommittedAndNeverFromAUnitThatFailed() {
        java.util.List<Change> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.changes().subscribe(heard::add);

        await(store.write(tx -> {
            tx.announce("task", "demo-agent/t-1");
            return null;
        }));
        var failed = store.write(tx -> {
            tx.announce("task", "demo-agent/t-2");
            throw new UnsupportedOperationException("this unit fails");
        });
        assertThatThrownBy(() -> await(failed)).hasRootCauseInstanceOf(UnsupportedOperationException.class);
        await(store.write(tx -> null));

        assertThat(heard).containsExactly(new Change("task", "demo-agent/t-1"));
    }

    @Test
    void schemaRefusesToMoveADeadline() throws Exception {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> new TaskRows(tx).insert(task("t-1", T0.plusSeconds(60)))));

        try (Connection c = direct(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE tasks SET deadline = deadline + 3600000"))
                    .hasMessageContaining("fixed when it is opened");
        }
        var v1 = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1"))));
        assertThat(v1.orElseThrow().deadline().at())
                .isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void schemaRefusesToRewriteOrDeleteAuditRecords() throws Exception {
        await(store.write(tx -> new AuditRows(tx).append(event("kept"), T0)));

        try (Connection c = direct(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_log SET reason = 'forged'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_log"))
                    .hasMessageContaining("append-only");
        }
    }

    @Test
    void storeMadeBeforeTaskIdsWerePerAgentKeepsItsTasks() throws Exception {
        store.close();
        java.nio.file.Path old = dir.resolve("old");
        java.nio.file.Files.createDirectories(old);
        String url = "jdbc:sqlite:" + old.resolve(EmbeddedStore.FILE_NAME);
        org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/sqlite")
                .target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO agents VALUES ('demo-agent', 'alice', 'tests', 'dev', '{\"keys\":[]}',"
                    + " 'active', 0, 0)");
            s.executeUpdate("INSERT INTO tasks VALUES ('t-1', 'demo-agent', 'dev', 'work', 'db:orders:read', 0,"
                    + " 60000, 'active', NULL, NULL)");
        }

        store = EmbeddedStore.open(vertx, old);

        var task = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1"))));
        assertThat(task.orElseThrow().deadline().at()).isEqualTo(java.time.Instant.ofEpochMilli(60_000));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE tasks SET deadline = deadline + 1"))
                    .hasMessageContaining("fixed when it is opened");
        }
    }
}
