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
import dev.stint.broker.policy.ReloadingPolicy;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The freeze sweep on a real embedded store: while a freeze is in force, the active tasks of its
 * tiers that hold an action it denies are ended through the {@link TaskEnder} with its reason, once;
 * every other task is left as it was.
 */
class FreezeSweepTest {

    static final Instant FROM = Instant.parse("2026-12-20T00:00:00Z");
    static final Instant UNTIL = Instant.parse("2027-01-04T00:00:00Z");
    static final AgentId AGENT = new AgentId("demo-agent");

    static final String POLICY = """
            tiers:
              dev:  { max_ttl: 8h,  default_ttl: 1h }
              prod: { max_ttl: 15m, default_ttl: 5m }
            freezes:
              - tiers: [prod]
                from: 2026-12-20T00:00:00Z
                until: 2027-01-04T00:00:00Z
                deny: [delete, ddl, bulk_delete]
                reason: Year-end change freeze
            """;

    @TempDir
    Path dir;

    Vertx vertx;
    Store store;
    Path policyFile;
    ReloadingPolicy policy;
    MutableClock clock = new MutableClock(FROM.minusSeconds(60));
    List<String> credentialCalls = new ArrayList<>();
    TaskEnder ender = new TaskEnder(List.of((tx, task, at, reason) -> {
        credentialCalls.add(task.id() + ": " + reason);
        return "1 database lease(s) revoking";
    }));
    FreezeSweep sweep;

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        store = EmbeddedStore.open(vertx, dir.resolve("data"));
        policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, POLICY);
        policy = ReloadingPolicy.load(policyFile);
        sweep = new FreezeSweep(store, ender, policy, clock);
        await(store.write(tx -> new AgentRows(tx).insert(new Agent(AGENT, "alice@example.com", "tests",
                List.of(new Tier("dev"), new Tier("prod")),
                new JWKSet(TestAgent.generate("demo-agent").key().toPublicJWK()), AgentStatus.ACTIVE,
                FROM.minusSeconds(3600), FROM.minusSeconds(3600)))));
    }

    @AfterEach
    void close() {
        store.close();
        await(vertx.close());
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    /** A task opened a minute before the freeze with a token of its own ({@code jti-<id>}). */
    void insert(String id, String tier, String scopes, TaskStatus status, Duration ttl) {
        Instant opened = FROM.minusSeconds(60);
        await(store.write(tx -> {
            new TaskRows(tx).insert(new Task(new TaskId(id), AGENT, new Tier(tier), "work", Scope.parseList(scopes),
                    opened, new TaskDeadline(opened.plus(ttl)), status, status.isFinal() ? opened : null,
                    status.isFinal() ? "ended by admin" : null));
            new TokenRows(tx).insert(new IssuedToken("jti-" + id, TokenKind.TASK, null, AGENT, new TaskId(id),
                    new Tier(tier), scopes, "urn:stint:tier:" + tier, opened, opened.plus(ttl), null, null));
            return null;
        }));
    }

    void insertActive(String id, String tier, String scopes) {
        insert(id, tier, scopes, TaskStatus.ACTIVE, Duration.ofMinutes(15));
    }

    Task task(String id) {
        return await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId(id)))).orElseThrow();
    }

    IssuedToken token(String id) {
        return await(store.read(tx -> new TokenRows(tx).byJti("jti-" + id))).orElseThrow();
    }

    List<AuditRecord> audit(String id) {
        return await(store.read(tx -> new AuditRows(tx).query(new AuditQuery(id, null, null, 0, 100))));
    }

    @Test
    void freezeInForceEndsALiveTaskHoldingAFrozenActionWithTheFreezesReason() {
        insertActive("cleanup", "prod", "db:orders:read db:orders:delete db:orders:ddl");
        clock.set(FROM);

        int ended = await(sweep.sweep());

        assertThat(ended).isEqualTo(1);
        Task task = task("cleanup");
        assertThat(task.status()).isEqualTo(TaskStatus.ENDED);
        assertThat(task.endedAt()).isEqualTo(FROM);
        assertThat(task.endReason()).isEqualTo("ended by freeze \"Year-end change freeze\" (prod: ddl, delete)");
        assertThat(token("cleanup").revokedAt()).isEqualTo(FROM);
        assertThat(credentialCalls).containsExactly("cleanup: " + task.endReason());
        AuditRecord record = audit("cleanup").get(0);
        assertThat(record.event().actor()).isEqualTo("system");
        assertThat(record.event().action()).isEqualTo("task.freeze");
        assertThat(record.event().reason()).isEqualTo("task ended (ended by freeze \"Year-end change freeze\""
                + " (prod: ddl, delete)); 1 token(s) revoked, 1 database lease(s) revoking");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            another tier                                | dev  | db:orders:delete               | active           | 900 | 2026-12-20T00:00:00Z
            only actions the freeze leaves alone        | prod | db:orders:read db:orders:write | active           | 900 | 2026-12-20T00:00:00Z
            a frozen word as resource, not as action    | prod | db:delete:read db:ddl:write    | active           | 900 | 2026-12-20T00:00:00Z
            like a frozen action but for its '_'        | prod | db:orders:bulk-delete          | active           | 900 | 2026-12-20T00:00:00Z
            already ended                               | prod | db:orders:delete               | ended            | 900 | 2026-12-20T00:00:00Z
            pending approval                            | prod | db:orders:delete               | pending_approval | 900 | 2026-12-20T00:00:00Z
            a second before the window                  | prod | db:orders:delete               | active           | 900 | 2026-12-19T23:59:59Z
            after the window, at until                  | prod | db:orders:delete               | active           | 900 | 2027-01-04T00:00:00Z
            past its deadline (the expiry sweep's task) | prod | db:orders:delete               | active           | 30  | 2026-12-20T00:00:00Z
            """)
    void taskTheFreezeDoesNotCatchIsLeftAlone(String name, String tier, String scopes, String status, long ttl,
            Instant now) {
        insert("other", tier, scopes, TaskStatus.fromWire(status), Duration.ofSeconds(ttl));
        Task before = task("other");
        long records = audit("other").size();
        clock.set(now);

        int ended = await(sweep.sweep());

        assertThat(ended).isZero();
        assertThat(task("other")).isEqualTo(before);
        assertThat(token("other").revokedAt()).isNull();
        assertThat(audit("other")).hasSize((int) records);
        assertThat(credentialCalls).isEmpty();
    }

    @Test
    void aTaskIsEndedOnceHoweverOftenTheSweepRuns() {
        insertActive("cleanup", "prod", "db:orders:delete");
        clock.set(FROM);
        await(sweep.sweep());
        clock.advance(Duration.ofSeconds(1));

        int again = await(sweep.sweep());

        assertThat(again).isZero();
        assertThat(task("cleanup").endedAt()).isEqualTo(FROM);
        assertThat(audit("cleanup")).hasSize(1);
        assertThat(credentialCalls).hasSize(1);
    }

    @Test
    void onlyTheCaughtTasksEndAmongOthers() {
        insertActive("caught", "prod", "db:orders:delete");
        insertActive("reader", "prod", "db:orders:read");
        insertActive("dev-cleanup", "dev", "db:orders:delete");
        clock.set(FROM.plusSeconds(1));

        int ended = await(sweep.sweep());

        assertThat(ended).isEqualTo(1);
        assertThat(task("caught").status()).isEqualTo(TaskStatus.ENDED);
        assertThat(task("reader").status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(task("dev-cleanup").status()).isEqualTo(TaskStatus.ACTIVE);
    }

    @Test
    void aFreezeCatchingMoreThanABatchEndsThemAllInOneSweep() {
        int many = FreezeSweep.BATCH * 2 + 17;
        Instant opened = FROM.minusSeconds(60);
        await(store.write(tx -> {
            for (int i = 0; i < many; i++) {
                new TaskRows(tx).insert(new Task(new TaskId("bulk-" + i), AGENT, new Tier("prod"), "work",
                        Scope.parseList("db:orders:delete"), opened, new TaskDeadline(opened.plusSeconds(900)),
                        TaskStatus.ACTIVE, null, null));
            }
            return null;
        }));
        clock.set(FROM);

        int ended = await(sweep.sweep());

        assertThat(ended).isEqualTo(many);
        assertThat(credentialCalls).hasSize(many);
    }

    @Test
    void recurringFreezeStartingMidTaskEndsIt() throws Exception {
        // Fridays 16:00 Berlin for 64 h; Friday 2026-11-27 16:00 CET is 15:00Z.
        Files.writeString(policyFile, """
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                freezes:
                  - tiers: [prod]
                    schedule: "0 16 * * FRI"
                    duration: 64h
                    time_zone: Europe/Berlin
                    deny: [delete, ddl, admin]
                    reason: No destructive changes over the weekend
                """);
        ReloadingPolicy weekend = ReloadingPolicy.load(policyFile);
        FreezeSweep weekendSweep = new FreezeSweep(store, ender, weekend, clock);
        Instant start = Instant.parse("2026-11-27T15:00:00Z");
        Instant opened = start.minusSeconds(300);
        await(store.write(tx -> new TaskRows(tx).insert(new Task(new TaskId("friday"), AGENT, new Tier("prod"),
                "work", Scope.parseList("db:orders:delete"), opened, new TaskDeadline(opened.plusSeconds(900)),
                TaskStatus.ACTIVE, null, null))));
        clock.set(start.minusSeconds(1));
        assertThat(await(weekendSweep.sweep())).as("a second before 16:00").isZero();

        clock.set(start);
        int ended = await(weekendSweep.sweep());

        assertThat(ended).isEqualTo(1);
        assertThat(task("friday").endReason())
                .isEqualTo("ended by freeze \"No destructive changes over the weekend\" (prod: delete)");
    }

    @Test
    void policyReloadAddingAFreezeInForceNowEndsMatchingTasksAtTheNextSweep() throws Exception {
        insertActive("cleanup", "prod", "db:orders:delete");
        Instant now = FROM.minusSeconds(30);
        clock.set(now);
        assertThat(await(sweep.sweep())).as("no freeze in force yet").isZero();

        Files.writeString(policyFile, POLICY + """
                  - tiers: [prod]
                    from: %s
                    until: %s
                    deny: [delete]
                    reason: Incident 4711
                """.formatted(now.minusSeconds(5), now.plusSeconds(3600)));
        assertThat(policy.reloadIfChanged()).isTrue();
        int ended = await(sweep.sweep());

        assertThat(ended).isEqualTo(1);
        assertThat(task("cleanup").endReason()).isEqualTo("ended by freeze \"Incident 4711\" (prod: delete)");
    }
}
