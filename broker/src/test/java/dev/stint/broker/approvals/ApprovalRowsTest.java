package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.broker.store.Store;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Approval requests on both stores: kept as asked, decided once, found by status and by window. */
class ApprovalRowsTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;
    Vertx vertx = Vertx.vertx();
    Store store;

    Store open(String kind) throws Exception {
        store = kind.equals("embedded") ? EmbeddedStore.open(vertx, dir)
                : PostgresStore.open(vertx, PostgresTestDatabase.create(), PostgresTestDatabase.USER,
                        PostgresTestDatabase.PASSWORD, 4);
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    static Approval approval(String id, String task, Instant requestedAt) {
        TaskDeadline deadline = new TaskDeadline(requestedAt.plusSeconds(900));
        List<Scope> scopes = List.of(Scope.parse("db:orders:delete"));
        return new Approval(id, new AgentId("cleanup-bot"), new TaskId(task), "alice@example.com", new Tier("prod"),
                scopes, "purge <test> rows", deadline, ApprovalDigest.of(new TaskId(task), new AgentId("cleanup-bot"),
                        "alice@example.com", new Tier("prod"), scopes, "purge <test> rows", deadline),
                2, "db:orders:delete (destructive, 2)", ApprovalStatus.PENDING, requestedAt,
                requestedAt.plusSeconds(600), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void requestIsKeptExactlyAsAsked(String kind) throws Exception {
        Store s = open(kind);
        Approval asked = approval("apr_1", "tsk-1", T0);

        await(s.write(tx -> {
            new ApprovalRows(tx).insert(asked);
            return null;
        }));

        java.util.Optional<Approval> byId = await(s.read(tx -> new ApprovalRows(tx).find("apr_1")));
        java.util.Optional<Approval> byTask = await(s.read(tx -> new ApprovalRows(tx).forTask(
                new AgentId("cleanup-bot"), new TaskId("tsk-1"))));
        assertThat(byId).contains(asked);
        assertThat(byTask).contains(asked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void requestIsDecidedOnce(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> {
            new ApprovalRows(tx).insert(approval("apr_1", "tsk-1", T0));
            return null;
        }));

        boolean denied = await(s.write(tx -> new ApprovalRows(tx).decide("apr_1", ApprovalStatus.DENIED, T0)));
        boolean approvedAfter = await(s.write(tx -> new ApprovalRows(tx).decide("apr_1", ApprovalStatus.APPROVED, T0)));

        assertThat(denied).isTrue();
        assertThat(approvedAfter).isFalse();
        assertThat(await(s.read(tx -> new ApprovalRows(tx).find("apr_1"))).orElseThrow().status())
                .isEqualTo(ApprovalStatus.DENIED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void pendingAreListedNewestFirstAndClosedWindowsFound(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> {
            new ApprovalRows(tx).insert(approval("apr_1", "tsk-1", T0));
            new ApprovalRows(tx).insert(approval("apr_2", "tsk-2", T0.plusSeconds(60)));
            new ApprovalRows(tx).insert(approval("apr_3", "tsk-3", T0.plusSeconds(120)));
            new ApprovalRows(tx).decide("apr_3", ApprovalStatus.APPROVED, T0.plusSeconds(130));
            return null;
        }));

        List<Approval> pending = await(s.read(tx -> new ApprovalRows(tx).withStatus(ApprovalStatus.PENDING, 10)));
        List<Approval> closed = await(s.read(tx -> new ApprovalRows(tx).pendingPastWindow(T0.plusSeconds(600), 10)));
        assertThat(pending).extracting(Approval::approvalId).containsExactly("apr_2", "apr_1");
        assertThat(closed).extracting(Approval::approvalId).containsExactly("apr_1");
    }

    @org.junit.jupiter.api.Test
    void pendingRequestPastItsWindowReadsAsExpired() {
        Approval asked = approval("apr_1", "tsk-1", T0);

        assertThat(asked.statusAt(T0.plusSeconds(599))).isEqualTo(ApprovalStatus.PENDING);
        assertThat(asked.statusAt(T0.plusSeconds(600))).isEqualTo(ApprovalStatus.EXPIRED);
    }
}
