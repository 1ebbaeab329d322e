package dev.stint.broker.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The leases' rows, the same on the embedded store and on PostgreSQL. */
class LeaseRowsTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final AgentId AGENT = new AgentId("demo-agent");
    static final TaskId TASK = new TaskId("t-1");

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    Store store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void open(String kind) throws Exception {
        store = kind.equals("embedded") ? EmbeddedStore.open(vertx, dir)
                : PostgresStore.open(vertx, PostgresTestDatabase.create(), PostgresTestDatabase.USER,
                        PostgresTestDatabase.PASSWORD, 4);
        await(store.write(tx -> new AgentRows(tx).insert(new Agent(AGENT, "alice@example.com", "tests",
                List.of(new Tier("dev")), new JWKSet(TestAgent.generate("demo-agent").key().toPublicJWK()),
                AgentStatus.ACTIVE, T0, T0))));
        await(store.write(tx -> new TaskRows(tx).insert(new Task(TASK, AGENT, new Tier("dev"), "work",
                List.of(Scope.parse("db:orders:read")), T0, new TaskDeadline(T0.plusSeconds(600)), TaskStatus.ACTIVE,
                null, null))));
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    static Lease intent(String id) {
        return Lease.intent(id, AGENT, TASK, new Tier("dev"), "orders-readonly", "orders-dev", Lease.Provider.POSTGRES,
                "stint_dev_" + id, T0, T0.plusSeconds(600), T0.plusSeconds(30));
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void anIntentIsRecordedAsPendingAndReadBack(String kind) throws Exception {
        open(kind);

        await(store.write(tx -> {
            new LeaseRows(tx).insert(intent("lse_1"));
            return null;
        }));

        Lease read = await(store.read(tx -> new LeaseRows(tx).find("lse_1"))).orElseThrow();
        assertThat(read).isEqualTo(intent("lse_1"));
        assertThat(read.state()).isEqualTo(LeaseState.PENDING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aLeaseOfATaskThatDoesNotExistIsRefused(String kind) throws Exception {
        open(kind);
        Lease orphan = Lease.intent("lse_x", AGENT, new TaskId("no-such-task"), new Tier("dev"), "r", "c",
                Lease.Provider.POSTGRES, "stint_dev_x", T0, T0.plusSeconds(60), T0.plusSeconds(30));

        assertThatThrownBy(() -> await(store.write(tx -> {
            new LeaseRows(tx).insert(orphan);
            return null;
        }))).hasMessageContaining("could not record");
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void onlyAPendingLeaseBecomesActive(String kind) throws Exception {
        open(kind);
        await(store.write(tx -> {
            new LeaseRows(tx).insert(intent("lse_1"));
            new LeaseRows(tx).insert(intent("lse_2"));
            new LeaseRows(tx).revoke("lse_2", T0, "the task ended while the login was being made");
            return null;
        }));

        boolean first = await(store.write(tx -> new LeaseRows(tx).activate("lse_1", "stint_dev_lse_1", null,
                T0.plusSeconds(600))));
        boolean second = await(store.write(tx -> new LeaseRows(tx).activate("lse_2", "stint_dev_lse_2", null,
                T0.plusSeconds(600))));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(await(store.read(tx -> new LeaseRows(tx).find("lse_1"))).orElseThrow().state())
                .isEqualTo(LeaseState.ACTIVE);
        assertThat(await(store.read(tx -> new LeaseRows(tx).find("lse_2"))).orElseThrow().state())
                .isEqualTo(LeaseState.REVOKING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void endingATaskMakesEachOfItsLiveLeasesDueOnce(String kind) throws Exception {
        open(kind);
        await(store.write(tx -> {
            LeaseRows rows = new LeaseRows(tx);
            rows.insert(intent("lse_1"));
            rows.insert(intent("lse_2"));
            rows.activate("lse_1", "stint_dev_lse_1", null, T0.plusSeconds(600));
            return null;
        }));

        int marked = await(store.write(tx -> new LeaseRows(tx).revokeAllOf(AGENT, TASK, T0.plusSeconds(5))));
        List<Lease> claimed = await(store.write(tx -> new LeaseRows(tx).claimDue(T0.plusSeconds(5),
                T0.plusSeconds(35), 10)));
        List<Lease> again = await(store.write(tx -> new LeaseRows(tx).claimDue(T0.plusSeconds(6),
                T0.plusSeconds(36), 10)));
        List<Lease> afterClaimLapsed = await(store.write(tx -> new LeaseRows(tx).claimDue(T0.plusSeconds(40),
                T0.plusSeconds(70), 10)));

        assertThat(marked).isEqualTo(2);
        assertThat(claimed).extracting(Lease::leaseId).containsExactlyInAnyOrder("lse_1", "lse_2");
        assertThat(again).as("claimed leases are not taken twice").isEmpty();
        assertThat(afterClaimLapsed).as("a claim that lapsed (its sweeper died) is taken again").hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void aPendingLeasePastItsTimeToFinishIsDueForRevocation(String kind) throws Exception {
        open(kind);
        await(store.write(tx -> {
            new LeaseRows(tx).insert(intent("lse_1"));
            return null;
        }));

        List<Lease> early = await(store.write(tx -> new LeaseRows(tx).claimDue(T0.plusSeconds(10), T0.plusSeconds(40),
                10)));
        List<Lease> late = await(store.write(tx -> new LeaseRows(tx).claimDue(T0.plusSeconds(31), T0.plusSeconds(61),
                10)));

        assertThat(early).isEmpty();
        assertThat(late).extracting(Lease::leaseId).containsExactly("lse_1");
        assertThat(await(store.read(tx -> new LeaseRows(tx).find("lse_1"))).orElseThrow().state())
                .isEqualTo(LeaseState.REVOKING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void failuresAreCountedAndRetriedUntilRevokedWhichIsFinal(String kind) throws Exception {
        open(kind);
        await(store.write(tx -> {
            LeaseRows rows = new LeaseRows(tx);
            rows.insert(intent("lse_1"));
            rows.revoke("lse_1", T0, "ended");
            rows.failed("lse_1", "orders-dev: connection refused", T0.plus(Duration.ofSeconds(2)));
            rows.failed("lse_1", "orders-dev: connection refused", T0.plus(Duration.ofSeconds(6)));
            return null;
        }));
        Lease failing = await(store.read(tx -> new LeaseRows(tx).find("lse_1"))).orElseThrow();

        boolean revoked = await(store.write(tx -> new LeaseRows(tx).revoked("lse_1", T0.plusSeconds(7))));
        boolean twice = await(store.write(tx -> new LeaseRows(tx).revoked("lse_1", T0.plusSeconds(8))));
        await(store.write(tx -> {
            new LeaseRows(tx).failed("lse_1", "late failure", T0.plusSeconds(9));
            return null;
        }));

        assertThat(failing.state()).isEqualTo(LeaseState.FAILED);
        assertThat(failing.attempts()).isEqualTo(2);
        assertThat(failing.lastError()).isEqualTo("orders-dev: connection refused");
        assertThat(revoked).isTrue();
        assertThat(twice).isFalse();
        Lease done = await(store.read(tx -> new LeaseRows(tx).find("lse_1"))).orElseThrow();
        assertThat(done.state()).isEqualTo(LeaseState.REVOKED);
        assertThat(done.revokedAt()).isEqualTo(T0.plusSeconds(7));
        List<Lease> stillFailing = await(store.read(tx -> new LeaseRows(tx).inState(LeaseState.FAILED, 10)));
        assertThat(stillFailing).isEmpty();
    }
}
