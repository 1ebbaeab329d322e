package dev.stint.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.MutableClock;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.EmbeddedStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tally of unauthenticated failures against a real embedded store: one summary per kind, at
 * most {@code maxKinds} of them plus one remainder per window, windows on the injected clock,
 * and no count lost when a flush fails.
 */
class FailureTallyTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final int MAX_KINDS = 5;
    static final Pattern COUNT = Pattern.compile("^(\\d+) ");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(T0);
    Vertx vertx;
    EmbeddedStore store;
    FailureTally tally;

    @BeforeEach
    void openStore() throws Exception {
        vertx = Vertx.vertx();
        store = EmbeddedStore.open(vertx, dataDir);
        tally = new FailureTally(store, Duration.ofSeconds(10), MAX_KINDS, clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
        join(vertx.close());
    }

    @Test
    void eachKindIsOneSummaryWithItsCountAndWindow() {
        for (int i = 0; i < 37; i++) {
            tally.count(bearer("the agent token is not known"));
        }
        for (int i = 0; i < 3; i++) {
            tally.count(assertion("ghost-agent", "client assertion rejected: agent ghost-agent is not registered"));
        }
        clock.advance(Duration.ofSeconds(10));

        int written = join(tally.flush());

        List<AuditRecord> records = records();
        assertThat(written).isEqualTo(2);
        assertThat(records).extracting(r -> r.event().reason()).containsExactly(
                "37 refused from 2026-11-24T10:00:00Z to 2026-11-24T10:00:10Z: the agent token is not known",
                "3 refused from 2026-11-24T10:00:00Z to 2026-11-24T10:00:10Z:"
                        + " client assertion rejected: agent ghost-agent is not registered");
        assertThat(records).extracting(r -> r.event().action()).containsExactly("auth.bearer", "agent.authenticate");
        assertThat(records).extracting(r -> r.event().agentId()).containsExactly(null, "ghost-agent");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.event().actor()).isEqualTo("anonymous");
            assertThat(r.event().decision()).isEqualTo(AuditEvent.Decision.DENY);
            assertThat(r.at()).isEqualTo(T0.plusSeconds(10));
        });
        assertThat(HashChain.firstBreak(records, HashChain.GENESIS)).isEmpty();
    }

    @Test
    void manyKindsAreBoundedToMaxKindsPlusOneRemainderWithTheTotalKept() {
        for (int i = 0; i < 500; i++) {
            String ghost = "ghost-" + i;
            tally.count(assertion(ghost, "client assertion rejected: agent " + ghost + " is not registered"));
        }
        tally.count(bearer("the agent token is not known"));
        tally.count(error("client assertion could not be checked: the signature check for agent a failed to run"));

        int written = join(tally.flush());

        List<AuditRecord> records = records();
        assertThat(written).isEqualTo(MAX_KINDS + 1);
        assertThat(records).hasSize(MAX_KINDS + 1);
        assertThat(records.stream().mapToLong(FailureTallyTest::countOf).sum()).isEqualTo(502);
        AuditRecord remainder = records.get(MAX_KINDS);
        assertThat(remainder.event().action()).isEqualTo(FailureTally.REMAINDER_ACTION);
        assertThat(remainder.event().reason()).isEqualTo("497 more unauthenticated requests refused or failed"
                + " from 2026-11-24T10:00:00Z to 2026-11-24T10:00:00Z for other reasons or agents, not itemised:"
                + " agent.authenticate failed 1, agent.authenticate refused 495, auth.bearer refused 1");
        assertThat(tally.refused()).isEqualTo(501);
        assertThat(tally.failed()).isEqualTo(1);
    }

    @Test
    void nextWindowStartsEmptyAndWhereTheLastEnded() {
        tally.count(bearer("the agent token is not known"));
        clock.advance(Duration.ofSeconds(10));
        join(tally.flush());
        clock.advance(Duration.ofSeconds(3));
        tally.count(bearer("the agent token was revoked"));
        clock.advance(Duration.ofSeconds(10));

        join(tally.flush());

        assertThat(records()).extracting(r -> r.event().reason()).containsExactly(
                "1 refused from 2026-11-24T10:00:00Z to 2026-11-24T10:00:10Z: the agent token is not known",
                "1 refused from 2026-11-24T10:00:10Z to 2026-11-24T10:00:23Z: the agent token was revoked");
    }

    @Test
    void nothingCountedWritesNothing() {
        clock.advance(Duration.ofMinutes(5));

        assertThat(join(tally.flush())).isZero();
        assertThat(records()).isEmpty();
    }

    @Test
    void windowIsTimedOnTheInjectedClock() {
        tally.count(bearer("the agent token is not known"));
        clock.advance(Duration.ofSeconds(9));

        assertThat(join(tally.flushIfDue())).as("9 s into the window").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(join(tally.flushIfDue())).as("10 s into the window").isEqualTo(1);
        assertThat(records()).hasSize(1);
    }

    @Test
    void countsOfAFailedFlushAreRecordedByTheNext() throws SQLException {
        tally.count(bearer("the agent token is not known"));
        tally.count(bearer("the agent token is not known"));
        clock.advance(Duration.ofSeconds(10));
        breakAuditLog();

        Throwable failure = failureOf(tally.flush());
        tally.count(bearer("the agent token is not known"));
        clock.advance(Duration.ofSeconds(10));
        repairAuditLog();
        join(tally.flush());

        assertThat(failure).isInstanceOf(UnavailableException.class);
        assertThat(records()).extracting(r -> r.event().reason()).containsExactly(
                "3 refused from 2026-11-24T10:00:00Z to 2026-11-24T10:00:20Z: the agent token is not known");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = AuditEvent.Decision.class, names = {"ALLOW", "PENDING"})
    void onlyDenialsAndErrorsAreTallied(AuditEvent.Decision decision) {
        AuditEvent event = new AuditEvent("anonymous", "auth.bearer", decision, null, null, null, "", "x");

        assertThatThrownBy(() -> tally.count(event)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only denials and errors are tallied");
    }

    // helpers

    private static AuditEvent bearer(String reason) {
        return new AuditEvent("anonymous", "auth.bearer", AuditEvent.Decision.DENY, null, null, null, "", reason);
    }

    private static AuditEvent assertion(String agentId, String reason) {
        return new AuditEvent("anonymous", "agent.authenticate", AuditEvent.Decision.DENY, agentId, null, null, "",
                reason);
    }

    private static AuditEvent error(String reason) {
        return new AuditEvent("anonymous", "agent.authenticate", AuditEvent.Decision.ERROR, null, null, null, "",
                reason);
    }

    private static long countOf(AuditRecord record) {
        Matcher m = COUNT.matcher(record.event().reason());
        assertThat(m.find()).as(record.event().reason()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private List<AuditRecord> records() {
        return join(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 1000))));
    }

    private void breakAuditLog() throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log"
                    + " BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END");
        }
    }

    private void repairAuditLog() throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER audit_down");
        }
    }

    private Connection database() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
    }

    private static <T> T join(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    private static Throwable failureOf(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
