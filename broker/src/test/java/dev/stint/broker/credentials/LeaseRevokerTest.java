package dev.stint.broker.credentials;

import static dev.stint.broker.credentials.LeaseRowsTest.AGENT;
import static dev.stint.broker.credentials.LeaseRowsTest.T0;
import static dev.stint.broker.credentials.LeaseRowsTest.TASK;
import static dev.stint.broker.credentials.LeaseRowsTest.await;
import static dev.stint.broker.credentials.LeaseRowsTest.intent;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.Store;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.Tier;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases are revoked after their task ends, by their backend, off the event loop; failures are
 * retried with backoff and never given up; an end waits for revocation only so long.
 */
class LeaseRevokerTest {

    /** A backend connection that fails as many times as told, then removes the login. */
    static final class ScriptedBackend implements CredentialBackend {
        final AtomicInteger failuresLeft = new AtomicInteger();
        final List<String> revoked = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold;

        @Override
        public String connection() {
            return "orders-dev";
        }

        @Override
        public IssuedLogin issue(Lease lease, LoginRequest request, java.time.Instant until) throws BackendException {
            throw BackendException.rejected("this backend only revokes");
        }

        @Override
        public void revoke(Lease lease) throws BackendException {
            if (hold != null) {
                try {
                    hold.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failuresLeft.getAndDecrement() > 0) {
                throw BackendException.unavailable("orders-dev (127.0.0.1:5432/orders): connection refused");
            }
            revoked.add(lease.username());
        }
    }

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    Store store;
    MutableClock clock = new MutableClock(T0);
    ScriptedBackend backend = new ScriptedBackend();
    Map<String, CredentialBackend> backends = Map.of("orders-dev", backend);
    LeaseRevoker revoker;
    Task task = new Task(TASK, AGENT, new Tier("dev"), "work", List.of(Scope.parse("db:orders:read")), T0,
            new TaskDeadline(T0.plusSeconds(600)), TaskStatus.ACTIVE, null, null);

    @BeforeEach
    void open() throws Exception {
        store = EmbeddedStore.open(vertx, dir);
        revoker = new LeaseRevoker(vertx, store, () -> backends,
                new RevocationBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 1.0), new ConnectionStatus(),
                clock);
        await(store.write(tx -> new AgentRows(tx).insert(new Agent(AGENT, "alice@example.com", "tests",
                List.of(new Tier("dev")), new JWKSet(TestAgent.generate("demo-agent").key().toPublicJWK()),
                AgentStatus.ACTIVE, T0, T0))));
        await(store.write(tx -> new TaskRows(tx).insert(task)));
        await(store.write(tx -> {
            LeaseRows rows = new LeaseRows(tx);
            rows.insert(intent("lse_1"));
            rows.activate("lse_1", "stint_dev_lse_1", null, T0.plusSeconds(600));
            return null;
        }));
    }

    @AfterEach
    void close() {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void endTask() {
        await(store.write(tx -> new TaskEnder(List.of(new TaskLeases())).end(tx, task,
                TaskEnder.Ending.byCaller("agent:demo-agent"), clock.instant())));
    }

    private Lease lease() {
        return await(store.read(tx -> new LeaseRows(tx).find("lse_1"))).orElseThrow();
    }

    private List<AuditRecord> audit(String action) {
        return await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 100)))).stream()
                .filter(r -> r.event().action().equals(action)).toList();
    }

    @Test
    void endingATaskRecordsItsLeasesRevokingInTheSameUnit() {
        endTask();

        assertThat(lease().state()).isEqualTo(LeaseState.REVOKING);
        assertThat(audit("task.end")).singleElement()
                .satisfies(r -> assertThat(r.event().reason()).contains("1 database lease(s) revoking"));
        assertThat(backend.revoked).as("no backend call inside the unit").isEmpty();
    }

    @Test
    void theSweepRevokesAnEndedTasksLeaseThroughItsBackend() {
        endTask();

        List<Lease> swept = await(revoker.sweep());

        assertThat(swept).extracting(Lease::state).containsExactly(LeaseState.REVOKED);
        assertThat(backend.revoked).containsExactly("stint_dev_lse_1");
        assertThat(audit("lease.revoke")).singleElement().satisfies(r -> {
            assertThat(r.event().decision()).isEqualTo(AuditEvent.Decision.ALLOW);
            assertThat(r.event().reason()).contains("verified gone");
        });
        assertThat(await(revoker.sweep())).as("nothing is revoked twice").isEmpty();
    }

    @Test
    void aFailingRevocationIsRetriedWithGrowingWaitsAndNeverGivenUp() {
        backend.failuresLeft.set(8);
        endTask();

        for (int attempt = 1; attempt <= 8; attempt++) {
            List<Lease> swept = await(revoker.sweep());
            assertThat(swept).singleElement().satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.FAILED));
            Lease failing = lease();
            assertThat(failing.attempts()).isEqualTo(attempt);
            assertThat(failing.lastError()).contains("connection refused");
            Duration wait = Duration.between(clock.instant(), failing.nextAttemptAt());
            assertThat(wait).isEqualTo(Duration.ofSeconds(Math.min(300, 1L << (attempt - 1))));
            assertThat(await(revoker.sweep())).as("not before its next attempt").isEmpty();
            clock.advance(wait);
        }
        List<Lease> last = await(revoker.sweep());

        assertThat(last).extracting(Lease::state).containsExactly(LeaseState.REVOKED);
        assertThat(audit("lease.revoke")).hasSize(9)
                .filteredOn(r -> r.event().decision() == AuditEvent.Decision.ERROR).hasSize(8);
    }

    @Test
    void aLeaseWhoseConnectionIsNoLongerConfiguredStaysFailedAndSaysWhy() {
        backends = Map.of();
        endTask();

        await(revoker.sweep());

        assertThat(lease().state()).isEqualTo(LeaseState.FAILED);
        assertThat(lease().lastError()).contains("connection orders-dev is not configured");
    }

    @Test
    void revokingATaskNowAnswersWithinItsBoundWhenTheBackendHangs() {
        backend.hold = new CountDownLatch(1);
        endTask();

        List<Lease> answered = await(revoker.revokeTask(AGENT, TASK, Duration.ofMillis(200)));
        backend.hold.countDown();

        assertThat(answered).extracting(Lease::state).containsExactly(LeaseState.REVOKING);
    }

    @Test
    void anEndWhoseLeaseASweepClaimedFirstWaitsForThatSweepsRevocation() {
        backend.hold = new CountDownLatch(1);
        endTask();
        io.vertx.core.Future<List<Lease>> sweeping = revoker.sweep();

        io.vertx.core.Future<List<Lease>> answered = revoker.revokeTask(AGENT, TASK, Duration.ofSeconds(5));
        vertx.setTimer(100, id -> backend.hold.countDown());

        assertThat(await(answered)).extracting(Lease::state).containsExactly(LeaseState.REVOKED);
        assertThat(await(sweeping)).hasSize(1);
        assertThat(backend.revoked).as("revoked once, by the sweep").containsExactly("stint_dev_lse_1");
    }

    @Test
    void revokingATaskNowReportsEachLeaseRevoked() {
        endTask();

        List<Lease> answered = await(revoker.revokeTask(AGENT, TASK, Duration.ofSeconds(2)));

        assertThat(answered).extracting(Lease::state).containsExactly(LeaseState.REVOKED);
        assertThat(backend.revoked).containsExactly("stint_dev_lse_1");
    }

    @Test
    void anIssueThatNeverFinishedIsCleanedUpOnceItsTimeHasPassed() {
        await(store.write(tx -> {
            new LeaseRows(tx).insert(intent("lse_2"));
            return null;
        }));

        assertThat(await(revoker.sweep())).isEmpty();
        clock.advance(Duration.ofSeconds(31));
        List<Lease> swept = await(revoker.sweep());

        assertThat(swept).extracting(Lease::leaseId).containsExactly("lse_2");
        assertThat(backend.revoked).containsExactly("stint_dev_lse_2");
    }
}
