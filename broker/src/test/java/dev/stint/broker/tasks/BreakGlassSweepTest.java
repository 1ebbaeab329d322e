package dev.stint.broker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.policy.ReloadingPolicy;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.Store;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A freeze that allows break-glass leaves alone the tasks people approved as break-glass, and ends
 * every other live task holding a frozen action, approved or not: an approval given before the
 * freeze was not given for it.
 */
class BreakGlassSweepTest {

    static final Instant FROM = Instant.parse("2026-12-20T00:00:00Z");
    static final AgentId AGENT = new AgentId("demo-agent");

    @TempDir
    Path dir;
    Vertx vertx;
    Store store;
    MutableClock clock = new MutableClock(FROM.minusSeconds(60));
    FreezeSweep sweep;

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        store = EmbeddedStore.open(vertx, dir.resolve("data"));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                freezes:
                  - tiers: [prod]
                    from: 2026-12-20T00:00:00Z
                    until: 2027-01-04T00:00:00Z
                    deny: [delete]
                    reason: Year-end change freeze
                    break_glass: { quorum: 2 }
                """);
        sweep = new FreezeSweep(store, new TaskEnder(List.of()), ReloadingPolicy.load(policy), clock);
        await(store.write(tx -> new AgentRows(tx).insert(new Agent(AGENT, "alice@example.com", "tests",
                List.of(new Tier("prod")), new JWKSet(TestAgent.generate("demo-agent").key().toPublicJWK()),
                AgentStatus.ACTIVE, FROM.minusSeconds(3600), FROM.minusSeconds(3600)))));
    }

    @AfterEach
    void close() {
        store.close();
        await(vertx.close());
    }

    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    void insert(String id, List<String> approvedBy, boolean breakGlass) {
        Instant opened = FROM.minusSeconds(60);
        await(store.write(tx -> new TaskRows(tx).insert(new Task(new TaskId(id), AGENT, new Tier("prod"), "work",
                Scope.parseList("db:orders:delete"), opened, new TaskDeadline(opened.plus(Duration.ofMinutes(15))),
                TaskStatus.ACTIVE, null, null, approvedBy, breakGlass))));
    }

    TaskStatus status(String id) {
        return await(store.read(tx -> new TaskRows(tx).find(AGENT, new TaskId(id)))).orElseThrow().status();
    }

    @Test
    void taskApprovedAsBreakGlassGoesOnThroughTheFreeze() {
        insert("broken-glass", List.of("bob", "carol"), true);
        clock.set(FROM);

        assertThat(await(sweep.sweep())).isZero();

        assertThat(status("broken-glass")).isEqualTo(TaskStatus.ACTIVE);
    }

    @Test
    void taskApprovedAsBreakGlassByFewerThanThisFreezeAsksIsEnded() {
        insert("one-approver", List.of("bob"), true);
        clock.set(FROM);

        assertThat(await(sweep.sweep())).isEqualTo(1);

        assertThat(status("one-approver")).isEqualTo(TaskStatus.ENDED);
    }

    @Test
    void taskApprovedBeforeTheFreezeIsEndedByIt() {
        insert("approved-before", List.of("bob", "carol"), false);
        insert("never-approved", List.of(), false);
        clock.set(FROM);

        assertThat(await(sweep.sweep())).isEqualTo(2);

        assertThat(status("approved-before")).isEqualTo(TaskStatus.ENDED);
        assertThat(status("never-approved")).isEqualTo(TaskStatus.ENDED);
    }
}
