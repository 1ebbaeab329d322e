package dev.stint.broker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.tokens.TokenRows;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every path that ends a task goes through the one {@link TaskEnder}, and the audit log says which. */
class TaskEnderTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final AgentId AGENT = new AgentId("demo-agent");

    @TempDir
    Path dir;

    Vertx vertx;
    Store store;
    MutableClock clock = new MutableClock(T0);
    List<String> credentialCalls = new ArrayList<>();
    TaskEnder ender = new TaskEnder(List.of((tx, task, at, reason) -> {
        credentialCalls.add(task.id() + ": " + reason);
        return "1 lease(s) revoking";
    }));

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        store = EmbeddedStore.open(vertx, dir);
        await(store.write(tx -> new AgentRows(tx).insert(new Agent(AGENT, "alice@example.com", "tests",
                List.of(new Tier("dev")), new JWKSet(TestAgent.generate("demo-agent").key().toPublicJWK()),
                AgentStatus.ACTIVE, T0, T0))));
    }

    @AfterEach
    void close() {
        store.close();
        await(vertx.close());
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    void insert(String id, TaskStatus status, Duration ttl) {
        await(store.write(tx -> {
            new TaskRows(tx).insert(new Task(new TaskId(id), AGENT, new Tier("dev"), "work",
                    List.of(Scope.parse("db:orders:read")), T0, new TaskDeadline(T0.plus(ttl)), status, null, null));
            new TokenRows(tx).insert(new IssuedToken("jti-" + id, TokenKind.TASK, null, AGENT, new TaskId(id),
                    new Tier("dev"), "db:orders:read", "urn:stint:tier:dev", T0, T0.plus(ttl), null, null));
            return null;
        }));
    }

    Task task(String id) {
        return await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId(id)))).orElseThrow();
    }

    AuditRecord lastRecord() {
        return await(store.read(tx -> new AuditRows(tx).last())).orElseThrow();
    }

    @Test
    void pendingTaskPastItsDeadlineIsExpiredBySweep() {
        insert("waiting", TaskStatus.PENDING_APPROVAL, Duration.ofSeconds(60));
        clock.set(T0.plusSeconds(61));

        int expired = await(new TaskExpiry(store, ender, clock).sweep());

        assertThat(expired).isEqualTo(1);
        assertThat(task("waiting").status()).isEqualTo(TaskStatus.EXPIRED);
        assertThat(lastRecord().event().action()).isEqualTo("task.expire");
    }

    @Test
    void sweepLeavesTasksBeforeTheirDeadlineAlone() {
        insert("running", TaskStatus.ACTIVE, Duration.ofSeconds(60));
        insert("waiting", TaskStatus.PENDING_APPROVAL, Duration.ofSeconds(60));
        clock.set(T0.plusSeconds(59));

        int expired = await(new TaskExpiry(store, ender, clock).sweep());

        assertThat(expired).isZero();
        assertThat(task("running").status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(task("waiting").status()).isEqualTo(TaskStatus.PENDING_APPROVAL);
    }

    @Test
    void endingRevokesTokensAndPluggedCredentialsAndNamesThePath() {
        insert("t-1", TaskStatus.ACTIVE, Duration.ofSeconds(600));

        Task open = task("t-1");

        boolean ended = await(store.write(tx -> ender.end(tx, open, TaskEnder.Ending.byCaller("agent:demo-agent"),
                T0.plusSeconds(5))));

        assertThat(ended).isTrue();
        assertThat(credentialCalls).containsExactly("t-1: ended by agent:demo-agent");
        assertThat(await(store.read(tx -> new TokenRows(tx).byJti("jti-t-1"))).orElseThrow().revokedAt())
                .isEqualTo(T0.plusSeconds(5));
        assertThat(lastRecord().event().reason())
                .isEqualTo("task ended (ended by agent:demo-agent); 1 token(s) revoked, 1 lease(s) revoking");
    }

    @Test
    void suspensionEndsEveryOpenTaskOfTheAgentAndSaysSo() {
        insert("t-1", TaskStatus.ACTIVE, Duration.ofSeconds(600));
        insert("t-2", TaskStatus.PENDING_APPROVAL, Duration.ofSeconds(600));

        int ended = await(store.write(tx -> ender.endAllOf(tx, AGENT, "admin", T0.plusSeconds(5))));

        assertThat(ended).isEqualTo(2);
        assertThat(task("t-1").endReason()).isEqualTo("agent demo-agent suspended by admin");
        assertThat(task("t-2").status()).isEqualTo(TaskStatus.ENDED);
        List<AuditRecord> records = await(store.read(tx -> new AuditRows(tx).query(
                new AuditQuery(null, null, null, 0, 10))));
        assertThat(records).extracting(r -> r.event().reason()).allMatch(r -> r.contains("suspended by admin"));
    }

    @Test
    void endingAnEndedTaskChangesNothingAndRecordsNothing() {
        insert("t-1", TaskStatus.ACTIVE, Duration.ofSeconds(600));
        Task open = task("t-1");
        await(store.write(tx -> ender.end(tx, open, TaskEnder.Ending.byCaller("admin"), T0)));
        long recordsBefore = lastRecord().seq();

        boolean again = await(store.write(tx -> ender.end(tx, open,
                TaskEnder.Ending.deadlinePassed(open, "system", "task.expire"), T0.plusSeconds(700))));

        assertThat(again).isFalse();
        assertThat(task("t-1").status()).isEqualTo(TaskStatus.ENDED);
        assertThat(lastRecord().seq()).isEqualTo(recordsBefore);
        assertThat(credentialCalls).hasSize(1);
    }
}
