package dev.stint.broker.federation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.audit.CiOrigin;
import dev.stint.broker.audit.HashChain;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.store.PostgresStore;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.NewAgentToken;
import dev.stint.broker.tokens.OpaqueTokens;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
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

/** What federation keeps in the store, on both stores: spent CI tokens, and the CI run on tokens and audit records. */
class FederationRowsTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final CiOrigin ORIGIN = new CiOrigin("https://token.actions.githubusercontent.com",
            "repo:octo-org@4242/octo-repo@892734:ref:refs/heads/main", "octo-org/octo-repo", "refs/heads/main",
            "migrations", "7733", "2", null, "octocat");

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

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void ciTokenIsSpentOncePerIssuer(String kind) throws Exception {
        Store s = open(kind);

        boolean first = await(s.write(tx -> new SubjectTokenRows(tx).spend("https://a", "jti:1", T0.plusSeconds(60))));
        boolean replay = await(s.write(tx -> new SubjectTokenRows(tx).spend("https://a", "jti:1", T0.plusSeconds(60))));
        boolean otherIssuer = await(s.write(tx -> new SubjectTokenRows(tx).spend("https://b", "jti:1",
                T0.plusSeconds(60))));

        assertThat(first).isTrue();
        assertThat(replay).isFalse();
        assertThat(otherIssuer).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void purgeForgetsOnlyExpiredCiTokens(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> new SubjectTokenRows(tx).spend("https://a", "old", T0)));
        await(s.write(tx -> new SubjectTokenRows(tx).spend("https://a", "live", T0.plusSeconds(60))));

        await(s.write(tx -> new SubjectTokenRows(tx).purgeExpired(T0.plusSeconds(1))));

        boolean live = await(s.write(tx -> new SubjectTokenRows(tx).spend("https://a", "live", T0)));
        boolean old = await(s.write(tx -> new SubjectTokenRows(tx).spend("https://a", "old", T0)));
        assertThat(live).isFalse();
        assertThat(old).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void agentTokenKeepsTheCiRunItWasExchangedFor(String kind) throws Exception {
        Store s = open(kind);

        NewAgentToken token = await(s.write(tx -> NewAgentToken.issue(tx, new AgentId("ci-migrations"), "http://broker",
                T0, Duration.ofMinutes(5), ORIGIN)));
        IssuedToken stored = await(s.read(tx -> new TokenRows(tx).byHash(OpaqueTokens.hash(token.value())))).orElseThrow();

        assertThat(stored.origin()).isEqualTo(ORIGIN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void everyRecordOfATaskWithAnOriginCarriesItAndTheChainHolds(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> new AuditRows(tx).append(event(null), T0)));
        await(s.write(tx -> {
            new AuditRows(tx).attachOrigin("ci-migrations", "t-1", ORIGIN);
            return new AuditRows(tx).append(event("t-1"), T0);
        }));
        await(s.write(tx -> new AuditRows(tx).append(event("t-1"), T0.plusSeconds(1))));
        await(s.write(tx -> new AuditRows(tx).append(event("t-2"), T0.plusSeconds(2))));

        List<AuditRecord> records = await(s.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 10))));

        assertThat(records).extracting(record -> record.event().origin()).containsExactly(null, ORIGIN, ORIGIN, null);
        assertThat(HashChain.firstBreak(records, HashChain.GENESIS)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgres"})
    void originIsCoveredByTheHash(String kind) throws Exception {
        Store s = open(kind);
        await(s.write(tx -> {
            new AuditRows(tx).attachOrigin("ci-migrations", "t-1", ORIGIN);
            return new AuditRows(tx).append(event("t-1"), T0);
        }));
        AuditRecord record = await(s.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0, 10))))
                .get(0);

        CiOrigin forged = new CiOrigin(ORIGIN.issuer(), ORIGIN.subject(), ORIGIN.repository(), ORIGIN.ref(),
                ORIGIN.workflow(), "1", ORIGIN.runAttempt(), null, "mallory");
        AuditRecord tampered = new AuditRecord(record.seq(), record.at(), record.event().withOrigin(forged),
                record.prevHash(), record.hash());

        assertThat(HashChain.firstBreak(List.of(tampered), HashChain.GENESIS)).contains(record.seq());
    }

    static AuditEvent event(String taskId) {
        return new AuditEvent("agent:ci-migrations", "test.event", AuditEvent.Decision.ALLOW, "ci-migrations", taskId,
                null, "", "a test record");
    }
}
