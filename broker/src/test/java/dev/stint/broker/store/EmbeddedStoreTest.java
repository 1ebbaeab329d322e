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
    void schemaRefusesToMoveADeadline() throws Exception {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> new TaskRows(tx).insert(task("t-1", T0.plusSeconds(60)))));

        try (Connection c = direct(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE tasks SET deadline = deadline + 3600000"))
                    .hasMessageContaining("fixed when it is opened");
        }
        var v1 = await(store.read(tx -> new TaskRows(tx).find(new TaskId("t-1"))));
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
}
