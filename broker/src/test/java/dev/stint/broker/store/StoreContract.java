package dev.stint.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.HashChain;
import dev.stint.broker.keys.StoredKey;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.auth.AssertionRows;
import dev.stint.broker.keys.KeyRows;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Store} must have. Each implementation runs this suite by extending
 * it; the PostgreSQL store of a later release runs the very same tests.
 */
public abstract class StoreContract {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final AgentId AGENT = new AgentId("demo-agent");

    @TempDir
    protected Path dir;

    protected Vertx vertx;
    protected Store store;

    /** Opens the store under test (a fresh, empty one for each test). */
    protected abstract Store open(Vertx vertx, Path dir) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        vertx = Vertx.vertx();
        store = open(vertx, dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    static Agent agent(String id) {
        return new Agent(new AgentId(id), "alice@example.com", "tests", List.of(new Tier("dev")),
                new JWKSet(TestAgent.generate(id).key().toPublicJWK()), AgentStatus.ACTIVE, T0, T0);
    }

    static Task task(String id, Instant deadline) {
        return new Task(new TaskId(id), AGENT, new Tier("dev"), "work", List.of(Scope.parse("db:orders:read")), T0,
                new TaskDeadline(deadline), TaskStatus.ACTIVE, null, null);
    }

    static IssuedToken taskToken(String jti, String taskId, Instant expiresAt) {
        return new IssuedToken(jti, TokenKind.TASK, null, AGENT, new TaskId(taskId), new Tier("dev"),
                "db:orders:read", "urn:stint:tier:dev", T0, expiresAt, null, null);
    }

    static AuditEvent event(String reason) {
        return new AuditEvent("admin", "test.event", AuditEvent.Decision.ALLOW, AGENT.value(), null, null, "", reason);
    }

    @Test
    void agentRoundTripsWithItsKeysAndStatus() {
        Agent agent = agent("demo-agent");
        var v1 = await(store.write(tx -> new AgentRows(tx).insert(agent)));
        assertThat(v1).isTrue();

        Agent read = await(store.read(tx -> new AgentRows(tx).find(AGENT))).orElseThrow();

        assertThat(read.id()).isEqualTo(agent.id());
        assertThat(read.tiers()).isEqualTo(agent.tiers());
        assertThat(read.jwks().toString()).isEqualTo(agent.jwks().toString());
        assertThat(read.status()).isEqualTo(AgentStatus.ACTIVE);
    }

    @Test
    void secondAgentWithSameIdIsNotInserted() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));

        var v2 = await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        assertThat(v2).isFalse();
    }

    @Test
    void taskRoundTripsWithItsDeadline() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        Task task = task("t-1", T0.plusSeconds(600));

        await(store.write(tx -> new TaskRows(tx).insert(task)));

        var v3 = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1"))));
        assertThat(v3).contains(task);
    }

    @Test
    void taskIdsAreUniquePerAgentOnly() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> new AgentRows(tx).insert(agent("other"))));
        Task mine = task("t-1", T0.plusSeconds(600));
        Task theirs = new Task(new TaskId("t-1"), new AgentId("other"), new Tier("dev"), "other work",
                List.of(Scope.parse("db:orders:read")), T0, new TaskDeadline(T0.plusSeconds(60)), TaskStatus.ACTIVE,
                null, null);

        boolean first = await(store.write(tx -> new TaskRows(tx).insert(mine)));
        boolean second = await(store.write(tx -> new TaskRows(tx).insert(theirs)));
        boolean again = await(store.write(tx -> new TaskRows(tx).insert(mine)));

        assertThat(first).isTrue();
        assertThat(second).isTrue();
        assertThat(again).isFalse();
        var found = await(store.read(tx -> new TaskRows(tx).find(new AgentId("other"), new TaskId("t-1"))));
        assertThat(found.orElseThrow().purpose()).isEqualTo("other work");
        var both = await(store.read(tx -> new TaskRows(tx).withId(new TaskId("t-1"), 10)));
        assertThat(both).hasSize(2);
    }

    @Test
    void finishingATaskKeepsItsDeadlineAndHappensOnce() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> new TaskRows(tx).insert(task("t-1", T0.plusSeconds(600)))));

        boolean first = await(store.write(tx -> new TaskRows(tx).finish(AGENT, new TaskId("t-1"), TaskStatus.ENDED, T0, "done")));
        boolean second = await(store.write(tx -> new TaskRows(tx).finish(AGENT, new TaskId("t-1"), TaskStatus.EXPIRED, T0, "late")));

        Task read = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1")))).orElseThrow();
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(read.status()).isEqualTo(TaskStatus.ENDED);
        assertThat(read.endReason()).isEqualTo("done");
        assertThat(read.deadline().at()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void dueTasksAreThoseActiveAtOrPastTheirDeadline() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> {
            new TaskRows(tx).insert(task("due", T0.plusSeconds(60)));
            new TaskRows(tx).insert(task("later", T0.plusSeconds(61)));
            return null;
        }));

        List<Task> due = await(store.read(tx -> new TaskRows(tx).openDueBy(T0.plusSeconds(60), 10)));

        assertThat(due).extracting(t -> t.id().value()).containsExactly("due");
    }

    @Test
    void activeTasksHoldingAnActionAreFoundByTheActionExactly() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        String[][] tasks = {
                // id, tier, scopes, status, seconds to the deadline
                {"delete-late", "dev", "db:orders:delete", "active", "300"},
                {"delete-mid-list", "dev", "db:orders:read db:orders:delete db:users:write", "active", "200"},
                {"underscore", "dev", "db:orders:bulk_delete", "active", "100"},
                {"like-underscore", "dev", "db:orders:bulkxdelete", "active", "100"},
                {"as-resource", "dev", "db:delete:read", "active", "100"},
                {"longer-action", "dev", "db:orders:undelete db:orders:deleted", "active", "100"},
                {"pending", "dev", "db:orders:delete", "pending_approval", "100"},
                {"past-deadline", "dev", "db:orders:delete", "active", "0"},
                {"other-tier", "prod", "db:orders:delete", "active", "100"}};
        await(store.write(tx -> {
            for (String[] t : tasks) {
                new TaskRows(tx).insert(new Task(new TaskId(t[0]), AGENT, new Tier(t[1]), "work", Scope.parseList(t[2]),
                        T0.minusSeconds(60), new TaskDeadline(T0.plusSeconds(Long.parseLong(t[4]))),
                        TaskStatus.fromWire(t[3]), null, null));
            }
            return null;
        }));

        List<Task> found = await(store.write(tx -> new TaskRows(tx).activeHolding(List.of(new Tier("dev")),
                List.of("delete", "bulk_delete"), T0, 10)));
        List<Task> first = await(store.read(tx -> new TaskRows(tx).activeHolding(List.of(new Tier("dev")),
                List.of("delete", "bulk_delete"), T0, 1)));

        assertThat(found).extracting(t -> t.id().value()).containsExactly("underscore", "delete-mid-list",
                "delete-late");
        assertThat(first).extracting(t -> t.id().value()).containsExactly("underscore");
    }

    @Test
    void endingRevokesEveryTokenOfTheTaskOnly() {
        await(store.write(tx -> {
            new TokenRows(tx).insert(taskToken("a", "t-1", T0.plusSeconds(300)));
            new TokenRows(tx).insert(taskToken("b", "t-1", T0.plusSeconds(300)));
            new TokenRows(tx).insert(taskToken("c", "t-2", T0.plusSeconds(300)));
            return null;
        }));

        int revoked = await(store.write(tx -> new TokenRows(tx).revokeOfTask(AGENT, new TaskId("t-1"), T0, "ended")));

        assertThat(revoked).isEqualTo(2);
        var v4 = await(store.read(tx -> new TokenRows(tx).byJti("a")));
        assertThat(v4.orElseThrow().revokedAt()).isEqualTo(T0);
        var v5 = await(store.read(tx -> new TokenRows(tx).byJti("c")));
        assertThat(v5.orElseThrow().revokedAt()).isNull();
        var v6 = await(store.read(tx -> new TokenRows(tx).revokedUnexpired(T0, 10)));
        assertThat(v6).extracting(IssuedToken::jti)
                .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void suspendingRevokesTheAgentsOwnAndTaskTokensOnly() {
        await(store.write(tx -> {
            new AgentRows(tx).insert(agent("demo-agent"));
            new AgentRows(tx).insert(agent("other"));
            new TaskRows(tx).insert(task("t-1", T0.plusSeconds(600)));
            new TaskRows(tx).insert(new Task(new TaskId("t-2"), new AgentId("other"), new Tier("dev"), "work",
                    List.of(Scope.parse("db:orders:read")), T0, new TaskDeadline(T0.plusSeconds(600)),
                    TaskStatus.ACTIVE, null, null));
            new TokenRows(tx).insert(taskToken("mine", "t-1", T0.plusSeconds(300)));
            new TokenRows(tx).insert(new IssuedToken("theirs", TokenKind.TASK, null, new AgentId("other"), new TaskId("t-2"),
                    new Tier("dev"), "db:orders:read", "aud", T0, T0.plusSeconds(300), null, null));
            new TokenRows(tx).insert(new IssuedToken("login", TokenKind.AGENT, "ef".repeat(32), AGENT, null, null, null,
                    "iss", T0, T0.plusSeconds(300), null, null));
            return null;
        }));

        // The kill switch revokes each open task's tokens, then the agent's own tokens.
        int revoked = await(store.write(tx -> new TokenRows(tx).revokeOfTask(AGENT, new TaskId("t-1"), T0, "suspended")
                + new TokenRows(tx).revokeAgentTokensOf(AGENT, T0, "suspended")));

        assertThat(revoked).isEqualTo(2);
        var theirs = await(store.read(tx -> new TokenRows(tx).byJti("theirs")));
        assertThat(theirs.orElseThrow().revokedAt()).isNull();
        var login = await(store.read(tx -> new TokenRows(tx).byJti("login")));
        assertThat(login.orElseThrow().revokedAt()).isEqualTo(T0);
    }

    @Test
    void tokenIsActiveOnlyWhileUnrevokedAndUnexpired() {
        await(store.write(tx -> {
            new TokenRows(tx).insert(taskToken("live", "t-1", T0.plusSeconds(300)));
            new TokenRows(tx).insert(taskToken("revoked", "t-1", T0.plusSeconds(300)));
            new TokenRows(tx).revoke("revoked", T0, "test");
            return null;
        }));

        assertThat(active("live", T0.plusSeconds(299))).isTrue();
        assertThat(active("live", T0.plusSeconds(300))).isFalse();
        assertThat(active("revoked", T0.plusSeconds(1))).isFalse();
        assertThat(active("unknown", T0)).isFalse();
    }

    private boolean active(String jti, Instant at) {
        Boolean active = await(store.read(tx -> new TokenRows(tx).isActive(jti, at)));
        return active;
    }

    @Test
    void refreshedTaskCarriesItsCurrentStatusAndReason() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        Task opened = task("t-1", T0.plusSeconds(600));
        await(store.write(tx -> new TaskRows(tx).insert(opened)));
        await(store.write(tx -> new TaskRows(tx).finish(AGENT, new TaskId("t-1"), TaskStatus.ENDED, T0, "done")));

        Task refreshed = await(store.read(tx -> new TaskRows(tx).refresh(opened))).orElseThrow();

        assertThat(refreshed.status()).isEqualTo(TaskStatus.ENDED);
        assertThat(refreshed.endReason()).isEqualTo("done");
        assertThat(refreshed.deadline()).isEqualTo(opened.deadline());
    }

    @Test
    void opaqueTokenIsFoundByItsHashOnly() {
        IssuedToken token = new IssuedToken("j1", TokenKind.AGENT, "ab".repeat(32), AGENT, null, null, null, "iss",
                T0, T0.plusSeconds(300), null, null);
        await(store.write(tx -> {
            new TokenRows(tx).insert(token);
            return null;
        }));

        var v7 = await(store.read(tx -> new TokenRows(tx).byHash("ab".repeat(32))));
        assertThat(v7).contains(token);
        var v8 = await(store.read(tx -> new TokenRows(tx).byHash("cd".repeat(32))));
        assertThat(v8).isEmpty();
    }

    @Test
    void assertionIdIsAcceptedOnce() {
        boolean first = await(store.write(tx -> new AssertionRows(tx).spend(AGENT, "jti-1", T0.plusSeconds(60))));
        boolean replay = await(store.write(tx -> new AssertionRows(tx).spend(AGENT, "jti-1", T0.plusSeconds(60))));
        boolean otherAgent = await(store.write(tx -> new AssertionRows(tx).spend(new AgentId("other"), "jti-1",
                T0.plusSeconds(60))));

        assertThat(first).isTrue();
        assertThat(replay).isFalse();
        assertThat(otherAgent).isTrue();
    }

    @Test
    void purgeForgetsOnlyExpiredAssertions() {
        await(store.write(tx -> new AssertionRows(tx).spend(AGENT, "old", T0)));
        await(store.write(tx -> new AssertionRows(tx).spend(AGENT, "live", T0.plusSeconds(60))));

        await(store.write(tx -> new AssertionRows(tx).purgeExpired(T0.plusSeconds(1))));

        var v9 = await(store.write(tx -> new AssertionRows(tx).spend(AGENT, "live", T0.plusSeconds(60))));
        assertThat(v9).isFalse();
        var v10 = await(store.write(tx -> new AssertionRows(tx).spend(AGENT, "old", T0.plusSeconds(60))));
        assertThat(v10).isTrue();
    }

    @Test
    void auditRecordsFormAnUnbrokenHashChain() {
        for (int i = 0; i < 5; i++) {
            String reason = "event " + i;
            await(store.write(tx -> new AuditRows(tx).append(event(reason), T0)));
        }

        List<AuditRecord> records = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 100))));

        assertThat(records).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(records.get(0).prevHash()).isEqualTo(HashChain.GENESIS);
        assertThat(HashChain.firstBreak(records, HashChain.GENESIS)).isEmpty();
    }

    @Test
    void unitThatFailsLeavesNeitherItsEffectNorItsAuditRecord() {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        long before = await(store.read(tx -> new AuditRows(tx).last())).map(AuditRecord::seq).orElse(0L);

        assertThatThrownBy(() -> await(store.write(tx -> {
            new TaskRows(tx).insert(task("t-1", T0.plusSeconds(60)));
            new AuditRows(tx).append(event("opened"), T0);
            throw new RejectedException(409, ProblemType.TASK_EXISTS, "changed my mind");
        }))).isInstanceOf(CompletionException.class).hasCauseInstanceOf(RejectedException.class);

        var v11 = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1"))));
        assertThat(v11).isEmpty();
        var v12 = await(store.read(tx -> new AuditRows(tx).last()));
        assertThat(v12.map(AuditRecord::seq).orElse(0L)).isEqualTo(before);
        await(store.write(tx -> new AuditRows(tx).append(event("next"), T0)));
        List<AuditRecord> all = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 100))));
        assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
    }

    @Test
    void unitsFailingBetweenAppendsLeaveAnUnbrokenGaplessChain() {
        // Submitted together, so that the single writer runs them in one batch and one commit.
        List<Future<AuditRecord>> writes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int n = i;
            writes.add(store.write(tx -> {
                AuditRecord record = new AuditRows(tx).append(event("unit " + n), T0);
                if (n % 3 == 1) {
                    throw new RejectedException(409, ProblemType.TASK_EXISTS, "rolled back after its append");
                }
                return record;
            }));
        }
        writes.forEach(write -> await(write.otherwise((AuditRecord) null)));

        List<AuditRecord> all = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 100))));
        assertThat(all).hasSize(40);
        assertThat(all).extracting(AuditRecord::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
        assertThat(all).extracting(r -> r.event().reason()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 60).filter(n -> n % 3 != 1).mapToObj(n -> "unit " + n).toList());
        assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
    }

    @Test
    void concurrentUnitsCommitIndependentlyAndKeepTheChain() {
        List<Future<AuditRecord>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            writes.add(store.write(tx -> {
                if (n % 7 == 0) {
                    new AuditRows(tx).append(event("doomed " + n), T0);
                    throw new RejectedException(400, ProblemType.INVALID_REQUEST, "rejected " + n);
                }
                return new AuditRows(tx).append(event("kept " + n), T0);
            }));
        }
        long failed = writes.stream().filter(f -> {
            try {
                await(f);
                return false;
            } catch (CompletionException e) {
                return true;
            }
        }).count();

        List<AuditRecord> all = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 1000))));
        assertThat(failed).isEqualTo(29);
        assertThat(all).hasSize(171);
        assertThat(all).noneMatch(r -> r.event().reason().startsWith("doomed"));
        assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
    }

    @Test
    void auditQueryFiltersByTaskAgentAndTime() {
        await(store.write(tx -> {
            new AuditRows(tx).append(new AuditEvent("a", "x", AuditEvent.Decision.ALLOW, "agent-1", "t-1", "dev", "", "r1"), T0);
            new AuditRows(tx).append(new AuditEvent("a", "x", AuditEvent.Decision.DENY, "agent-2", "t-2", "dev", "", "r2"),
                    T0.plusSeconds(10));
            return null;
        }));

        var v13 = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery("t-2", null, null, 0, 10))));
        assertThat(v13)
                .extracting(r -> r.event().reason()).containsExactly("r2");
        var v14 = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, "agent-1", null, 0, 10))));
        assertThat(v14)
                .extracting(r -> r.event().reason()).containsExactly("r1");
        var v15 = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, T0.plusSeconds(5), 0, 10))));
        assertThat(v15)
                .extracting(r -> r.event().reason()).containsExactly("r2");
    }

    @Test
    void retiredKeyKeepsItsVerifyUntil() {
        StoredKey key = new StoredKey("k1", "{}", "sealed", T0, T0, null, null);
        await(store.write(tx -> {
            new KeyRows(tx).insert(key);
            return null;
        }));

        boolean retired = await(store.write(tx -> new KeyRows(tx).retire("k1", T0.plusSeconds(1), T0.plusSeconds(400))));
        boolean again = await(store.write(tx -> new KeyRows(tx).retire("k1", T0.plusSeconds(2), T0.plusSeconds(500))));

        StoredKey read = await(store.read(tx -> new KeyRows(tx).all())).get(0);
        assertThat(retired).isTrue();
        assertThat(again).isFalse();
        assertThat(read.verifyUntil()).isEqualTo(T0.plusSeconds(400));
    }

    @Test
    void nextKeyActivatesOnceAndNeverAfterRetirement() {
        await(store.write(tx -> {
            new KeyRows(tx).insert(new StoredKey("next", "{}", "sealed", T0, null, null, null));
            return null;
        }));

        boolean retiredWhileNext = await(store.write(tx -> new KeyRows(tx).retire("next", T0, T0.plusSeconds(60))));
        boolean activated = await(store.write(tx -> new KeyRows(tx).activate("next", T0.plusSeconds(60))));
        boolean again = await(store.write(tx -> new KeyRows(tx).activate("next", T0.plusSeconds(61))));

        StoredKey read = await(store.read(tx -> new KeyRows(tx).all())).get(0);
        assertThat(retiredWhileNext).isFalse();
        assertThat(activated).isTrue();
        assertThat(again).isFalse();
        assertThat(read.isActive()).isTrue();
        assertThat(read.activatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void storeHoldsAtMostOneActiveAndOneNextKey() {
        await(store.write(tx -> {
            new KeyRows(tx).insert(new StoredKey("active", "{}", "sealed", T0, T0, null, null));
            new KeyRows(tx).insert(new StoredKey("next", "{}", "sealed", T0, null, null, null));
            return null;
        }));

        assertThatThrownBy(() -> await(store.write(tx -> {
            new KeyRows(tx).insert(new StoredKey("second-next", "{}", "sealed", T0, null, null, null));
            return null;
        }))).hasCauseInstanceOf(dev.stint.broker.http.UnavailableException.class);
        assertThatThrownBy(() -> await(store.write(tx -> new KeyRows(tx).activate("next", T0))))
                .hasCauseInstanceOf(dev.stint.broker.http.UnavailableException.class);
        List<StoredKey> stored = await(store.read(tx -> new KeyRows(tx).all()));
        assertThat(stored).extracting(StoredKey::kid).containsExactlyInAnyOrder("active", "next");
    }

    @Test
    void everythingSurvivesReopening() throws Exception {
        await(store.write(tx -> new AgentRows(tx).insert(agent("demo-agent"))));
        await(store.write(tx -> new TaskRows(tx).insert(task("t-1", T0.plusSeconds(600)))));
        await(store.write(tx -> new AuditRows(tx).append(event("before"), T0)));

        store.close();
        store = open(vertx, dir);
        await(store.write(tx -> new AuditRows(tx).append(event("after"), T0)));

        var v16 = await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId("t-1"))));
        assertThat(v16.orElseThrow().deadline().at())
                .isEqualTo(T0.plusSeconds(600));
        List<AuditRecord> all = await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 10))));
        assertThat(all).extracting(r -> r.event().reason()).containsExactly("before", "after");
        assertThat(HashChain.firstBreak(all, HashChain.GENESIS)).isEmpty();
    }

    @Test
    void writesAfterCloseFailAsUnavailable() {
        store.close();

        assertThatThrownBy(() -> await(store.write(tx -> new AuditRows(tx).append(event("late"), T0))))
                .hasCauseInstanceOf(dev.stint.broker.http.UnavailableException.class);
        store = reopenQuietly();
    }

    private Store reopenQuietly() {
        try {
            return open(vertx, dir);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
