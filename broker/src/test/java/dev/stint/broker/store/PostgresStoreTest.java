package dev.stint.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.audit.HashChain;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.token.AgentId;
import dev.stint.token.TaskId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The shared PostgreSQL store: the contract, what its schema itself refuses, and what only a store
 * shared by several brokers can get wrong. One real PostgreSQL server per test JVM, a fresh
 * database per test.
 */
class PostgresStoreTest extends StoreContract {

    /** Each test's database, by its temporary directory: reopening a store finds the same rows. */
    private static final Map<Path, String> DATABASES = new ConcurrentHashMap<>();

    @Override
    protected Store open(Vertx vertx, Path dir) throws Exception {
        return PostgresStore.open(vertx, url(), PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, 8);
    }

    /** The JDBC URL of this test's database, created on first use. */
    private String url() {
        return DATABASES.computeIfAbsent(dir, d -> PostgresTestDatabase.create());
    }

    private Connection direct() throws SQLException {
        return PostgresTestDatabase.connect(url());
    }

    @Test
    void schemaRefusesToMoveADeadline() throws Exception {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> new TaskRows(tx).insert(task("t-1", T0.plusSeconds(60)))));

        try (Connection c = direct(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE tasks SET deadline = deadline + 3600000"))
                    .hasMessageContaining("fixed when it is opened");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE tasks SET task_id = 't-2'"))
                    .hasMessageContaining("fixed when it is opened");
        }
        var v1 = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1"))));
        assertThat(v1.orElseThrow().deadline().at()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void schemaRefusesToRewriteOrDeleteAuditRecords() throws Exception {
        await(store.write(tx -> new AuditRows(tx).append(event("kept"), T0)));

        try (Connection c = direct(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_log SET reason = 'forged'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_log"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("TRUNCATE audit_log"))
                    .hasMessageContaining("append-only");
        }
        var last = await(store.read(tx -> new AuditRows(tx).last()));
        assertThat(last.orElseThrow().event().reason()).isEqualTo("kept");
    }

    @Test
    void twoBrokersOnOneDatabaseAppendOneGaplessChain() throws Exception {
        // Two brokers: each its own Vert.x and its own store, both on this test's database.
        Vertx otherVertx = Vertx.vertx();
        Store other = PostgresStore.open(otherVertx, url(), PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, 8);
        try {
            List<Future<AuditRecord>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String n = Integer.toString(i);
                writes.add(store.write(tx -> new AuditRows(tx).append(event("first " + n), T0)));
                writes.add(other.write(tx -> new AuditRows(tx).append(event("second " + n), T0)));
            }
            writes.forEach(StoreContract::await);

            List<AuditRecord> all = await(other.read(tx -> new AuditRows(tx).query(
                    new AuditQuery(null, null, null, 0, 1000))));
            assertThat(all).extracting(AuditRecord::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
            assertThat(all.get(0).prevHash()).isEqualTo(HashChain.GENESIS);
            assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
            assertThat(all).filteredOn(r -> r.event().reason().startsWith("first")).hasSize(200);
            assertThat(all).filteredOn(r -> r.event().reason().startsWith("second")).hasSize(200);
        } finally {
            other.close();
            otherVertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void writeUnitsOfTwoBrokersNeverInterleave() throws Exception {
        await(store.write(tx -> new AgentRows(tx).insert(agent("a")) & new AgentRows(tx).insert(agent("b"))));
        Vertx otherVertx = Vertx.vertx();
        Store other = PostgresStore.open(otherVertx, url(), PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, 2);
        try {
            // Opposite lock orders would deadlock two concurrent transactions; here the second
            // broker's unit starts only once the first one's batch has committed.
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch mayFinish = new CountDownLatch(1);
            List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
            Future<Boolean> ab = store.write(tx -> {
                order.add("first starts");
                new AgentRows(tx).find(new AgentId("a")).orElseThrow();
                firstStarted.countDown();
                awaitQuietly(mayFinish);
                new AgentRows(tx).find(new AgentId("b")).orElseThrow();
                new AuditRows(tx).append(event("a then b"), T0);
                order.add("first ends");
                return true;
            });
            firstStarted.await(10, TimeUnit.SECONDS);
            Future<Boolean> ba = other.write(tx -> {
                order.add("second starts");
                new AgentRows(tx).find(new AgentId("b")).orElseThrow();
                new AgentRows(tx).find(new AgentId("a")).orElseThrow();
                new AuditRows(tx).append(event("b then a"), T0);
                return true;
            });
            mayFinish.countDown();

            assertThat(await(ab)).isTrue();
            assertThat(await(ba)).isTrue();
            assertThat(order).containsExactly("first starts", "first ends", "second starts");
            List<AuditRecord> all = await(store.read(tx -> new AuditRows(tx).query(
                    new AuditQuery(null, null, null, 0, 10))));
            assertThat(all).extracting(AuditRecord::seq).containsExactly(1L, 2L);
            assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
        } finally {
            other.close();
            otherVertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aUnitTheDatabaseRefusesChangesNothingAndTheNextOneCommits() {
        assertThatThrownBy(() -> await(store.write(tx -> {
            new AuditRows(tx).append(event("never"), T0);
            tx.update("INSERT INTO no_such_table VALUES (1)", Tx.Binder.NONE);
            return null;
        }))).hasCauseInstanceOf(UnavailableException.class);

        await(store.write(tx -> new AuditRows(tx).append(event("kept"), T0)));
        List<AuditRecord> all = await(store.read(tx -> new AuditRows(tx).query(
                new AuditQuery(null, null, null, 0, 10))));
        assertThat(all).extracting(r -> r.event().reason()).containsExactly("kept");
        assertThat(store.acceptsWrites()).isTrue();
    }

    @Test
    void unreachableDatabaseIsUnavailableWithoutItsPassword() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String password = "s3cret-Never-Logged";

        assertThatThrownBy(() -> PostgresStore.open(vertx, "jdbc:postgresql://127.0.0.1:" + port + "/stint",
                "stint", password, 2))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("cannot open the PostgreSQL store at jdbc:postgresql://127.0.0.1:" + port)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password));
    }

    @Test
    void closedStoreReportsThatItTakesNoWrites() {
        assertThat(store.acceptsWrites()).isTrue();
        assertThat(store.writeFailure()).isEmpty();

        store.close();

        assertThat(store.acceptsWrites()).isFalse();
        assertThat(store.writeFailure()).contains("the store is closed");
        store = reopen();
    }

    private Store reopen() {
        try {
            return open(vertx, dir);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
