package dev.stint.broker.store;

import static dev.stint.broker.store.StoreContract.AGENT;
import static dev.stint.broker.store.StoreContract.T0;
import static dev.stint.broker.store.StoreContract.agent;
import static dev.stint.broker.store.StoreContract.await;
import static dev.stint.broker.store.StoreContract.event;
import static dev.stint.broker.store.StoreContract.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.MutableClock;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.LogCapture;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.keys.BrokerKeys;
import dev.stint.broker.keys.MasterKey;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskExpiry;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.token.keys.KeySealer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What two brokers sharing one PostgreSQL store tell each other, and what only one of them may do
 * at a time: announcements after commit, the feed's recovery, one sweeper, one key generator, a
 * rotation seen by the other, and a schema newer than a broker knows.
 */
class SharedStoreTest {

    @TempDir
    Path dir;

    String url;
    Vertx vertxA;
    Vertx vertxB;
    PostgresStore a;
    PostgresStore b;
    MutableClock clock = new MutableClock(T0);

    @BeforeEach
    void twoBrokers() throws Exception {
        url = PostgresTestDatabase.create();
        vertxA = Vertx.vertx();
        vertxB = Vertx.vertx();
        a = open(vertxA);
        b = open(vertxB);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        vertxA.close().toCompletionStage().toCompletableFuture().join();
        vertxB.close().toCompletionStage().toCompletableFuture().join();
    }

    private PostgresStore open(Vertx vertx) throws UnavailableException {
        return PostgresStore.open(vertx, url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, 4);
    }

    /** Changes B hears, skipping the "everything" a feed says when it (re)connects. */
    private BlockingQueue<Change> heardBy(PostgresStore store) throws InterruptedException {
        BlockingQueue<Change> heard = new LinkedBlockingQueue<>();
        store.changes().subscribe(heard::add);
        awaitListening(store);
        return heard;
    }

    private static void awaitListening(PostgresStore store) throws InterruptedException {
        for (int i = 0; i < 200 && !store.hearsOtherBrokers(); i++) {
            Thread.sleep(25); // waits for a connection to be made, not for time to pass
        }
        assertThat(store.hearsOtherBrokers()).as("the feed listens").isTrue();
    }

    private static Change next(BlockingQueue<Change> heard) throws InterruptedException {
        Change change = heard.poll(10, TimeUnit.SECONDS);
        while (change != null && change.isEverything()) {
            change = heard.poll(10, TimeUnit.SECONDS);
        }
        return change;
    }

    @Test
    void aCommittedAnnouncementReachesTheOtherBroker() throws Exception {
        BlockingQueue<Change> heard = heardBy(b);

        await(a.write(tx -> {
            tx.announce("agent", "demo-agent");
            return null;
        }));

        assertThat(next(heard)).isEqualTo(new Change("agent", "demo-agent"));
    }

    @Test
    void aUnitThatRollsBackAnnouncesNothing() throws Exception {
        BlockingQueue<Change> heard = heardBy(b);

        assertThatThrownBy(() -> await(a.write(tx -> {
            tx.announce("agent", "rolled-back");
            throw new IllegalStateException("changed its mind");
        }))).hasCauseInstanceOf(IllegalStateException.class);
        await(a.write(tx -> {
            tx.announce("agent", "committed");
            return null;
        }));

        assertThat(next(heard)).isEqualTo(new Change("agent", "committed"));
    }

    @Test
    void suspendingAnAgentIsAnnounced() throws Exception {
        await(a.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        BlockingQueue<Change> heard = heardBy(b);

        await(a.write(tx -> new AgentRows(tx).updateStatus(AGENT, dev.stint.broker.agents.AgentStatus.SUSPENDED,
                T0)));

        assertThat(next(heard)).isEqualTo(new Change(AgentRows.CHANGES, AGENT.value()));
    }

    @Test
    void aFeedThatLostItsConnectionReconnectsAndDropsEverything() throws Exception {
        BlockingQueue<Change> heard = heardBy(b);
        heard.clear();

        try (Connection c = PostgresTestDatabase.connect(url); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                    + PostgresChangeFeed.APPLICATION_NAME + "'");
        }

        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(Change.EVERYTHING);
        awaitListening(b);
        await(a.write(tx -> {
            tx.announce("task", "demo-agent/t-1");
            return null;
        }));
        assertThat(next(heard)).isEqualTo(new Change("task", "demo-agent/t-1"));
    }

    @Test
    void oneBrokerLeadsTheSweepsAndAnotherTakesOverWhenItStops() throws Exception {
        awaitLeader();
        PostgresStore leader = a.leadsSweeps() ? a : b;
        PostgresStore follower = leader == a ? b : a;
        assertThat(follower.leadsSweeps()).isFalse();

        leader.close();

        for (int i = 0; i < 200 && !follower.leadsSweeps(); i++) {
            Thread.sleep(25); // waits for the other broker to notice, not for time to pass
        }
        assertThat(follower.leadsSweeps()).isTrue();
    }

    private void awaitLeader() throws InterruptedException {
        for (int i = 0; i < 200 && !a.leadsSweeps() && !b.leadsSweeps(); i++) {
            Thread.sleep(25);
        }
        assertThat(a.leadsSweeps() || b.leadsSweeps()).as("a broker leads the sweeps").isTrue();
        Thread.sleep(600); // the other has tried the lock by now (it tries every poll)
        assertThat(a.leadsSweeps() && b.leadsSweeps()).as("never both").isFalse();
    }

    @Test
    void expirySweepsOnTwoBrokersEndEachTaskOnceAndOnlyTheLeaderSweeps() throws Exception {
        await(a.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        for (int i = 0; i < 60; i++) {
            String id = "t-" + i;
            await(a.write(tx -> new TaskRows(tx).insert(task(id, T0.plusSeconds(30)))));
        }
        clock.advance(Duration.ofMinutes(1));
        TaskExpiry onA = new TaskExpiry(a, new TaskEnder(List.of()), clock);
        TaskExpiry onB = new TaskExpiry(b, new TaskEnder(List.of()), clock);
        awaitLeader();

        List<Future<Integer>> sweeps = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            sweeps.add(onA.sweep());
            sweeps.add(onB.sweep());
        }
        int expired = sweeps.stream().mapToInt(StoreContract::await).sum();

        assertThat(expired).isEqualTo(60);
        PostgresStore follower = a.leadsSweeps() ? b : a;
        assertThat(await((follower == a ? onA : onB).sweep())).as("the follower does no sweep").isZero();
        List<AuditRecord> records = await(a.read(tx -> new AuditRows(tx).query(
                new AuditQuery(null, null, null, 0, 1000))));
        assertThat(records).filteredOn(r -> r.event().action().equals("task.expire")).hasSize(60)
                .extracting(r -> r.event().taskId()).doesNotHaveDuplicates();
    }

    @Test
    void brokersStartingTogetherShareOneActiveAndOneNextKey() throws Exception {
        KeySealer sealer = new KeySealer(MasterKey.loadOrCreate(dir.resolve("master.key")));

        Future<BrokerKeys> onA = BrokerKeys.load(a, sealer, clock, Duration.ofMinutes(7));
        Future<BrokerKeys> onB = BrokerKeys.load(b, sealer, clock, Duration.ofMinutes(7));
        BrokerKeys keysA = await(onA);
        BrokerKeys keysB = await(onB);

        assertThat(keysB.keySet().active().kid()).isEqualTo(keysA.keySet().active().kid());
        assertThat(keysB.keySet().publicJwks().toJSONObject())
                .isEqualTo(keysA.keySet().publicJwks().toJSONObject());
        assertThat(keysA.keySet().publicJwks().getKeys()).hasSize(2);
    }

    @Test
    void aRotationOnOneBrokerIsPublishedAndUsedByTheOtherAfterItRereads() throws Exception {
        KeySealer sealer = new KeySealer(MasterKey.loadOrCreate(dir.resolve("master.key")));
        BrokerKeys keysA = await(BrokerKeys.load(a, sealer, clock, Duration.ofMinutes(7)));
        BrokerKeys keysB = await(BrokerKeys.load(b, sealer, clock, Duration.ofMinutes(7)));
        clock.advance(BrokerKeys.JWKS_MAX_AGE);

        BrokerKeys.Rotation rotation = await(keysA.rotate("admin"));
        await(keysB.refresh());

        assertThat(keysB.keySet().active().kid()).isEqualTo(rotation.activeKid());
        assertThat(keysB.keySet().keysFor(rotation.nextKid())).as("the new next key is published on B").hasSize(1);
        assertThat(keysB.keySet().keysFor(rotation.retiredKid())).as("the retired key still verifies").hasSize(1);
        // The key B's JWKS just started publishing cannot sign anywhere for another JWKS_MAX_AGE.
        assertThatThrownBy(() -> await(keysB.rotate("admin"))).hasMessageContaining("key rotation rejected");
    }

    @Test
    void aSchemaNewerThanThisBrokerKnowsIsRefusedNamingBothVersions() throws Exception {
        try (Connection c = PostgresTestDatabase.connect(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) VALUES (999, '999', 'from the future',"
                    + " 'SQL', 'V999__from_the_future.sql', 0, 'postgres', 0, true)");
        }

        assertThatThrownBy(() -> open(vertxA))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("schema version 999")
                .hasMessageContaining("newer than this broker knows (version ");
    }

    @Test
    void closingABrokersStoreLogsNoWarning() throws Exception {
        awaitListening(a);
        await(a.write(tx -> new AuditRows(tx).append(event("before closing"), T0)));

        List<String> warnings;
        try (LogCapture log = new LogCapture()) {
            a.close();
            warnings = log.warnings().stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        }

        assertThat(warnings).isEmpty();
    }

    @Test
    void auditRecordsWrittenByEitherBrokerAreReadByTheOther() throws Exception {
        await(a.write(tx -> new AuditRows(tx).append(event("from A"), T0)));
        assertThat(await(b.read(tx -> new AuditRows(tx).last())).orElseThrow().event().reason()).isEqualTo("from A");
    }
}
