package dev.stint.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.audit.FailureTally;
import dev.stint.broker.http.OAuthRejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.EmbeddedStore;
import dev.stint.broker.tokens.IssuedToken;
import dev.stint.broker.tokens.TokenKind;
import dev.stint.broker.tokens.TokenRows;
import dev.stint.token.AgentId;
import dev.stint.token.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The unit that issues under a client assertion re-reads the agent: a suspension that commits
 * after the verifier read the agent as active, but before the issuing unit runs, still stops the
 * issuance. Driven step by step against a real embedded store, so the race is deterministic.
 */
class ClientAuthenticationTest {

    static final String ISSUER = "http://127.0.0.1:8400";
    static final AgentId DEMO = new AgentId("demo-agent");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    TestAgent agent = TestAgent.generate(DEMO.value());
    Vertx vertx;
    EmbeddedStore store;
    FailureTally tally;
    ClientAssertionVerifier verifier;
    ClientAuthentication clients;

    @BeforeEach
    void openStore() throws Exception {
        vertx = Vertx.vertx();
        store = EmbeddedStore.open(vertx, dataDir);
        tally = new FailureTally(store, Duration.ofSeconds(10), 20, clock);
        verifier = new ClientAssertionVerifier(store, ISSUER, Set.of(ISSUER), Optional.empty(), clock);
        clients = new ClientAuthentication(store, verifier, new AuditLog(store, tally, clock));
        Instant now = clock.instant();
        Agent registered = new Agent(DEMO, "alice@example.com", "tests", List.of(new Tier("dev")),
                JWKSet.parse(agent.publicJwks()), AgentStatus.ACTIVE, now, now);
        join(store.write(tx -> new AgentRows(tx).insert(registered)));
    }

    @AfterEach
    void closeStore() {
        store.close();
        join(vertx.close());
    }

    @ParameterizedTest(name = "agent {0} between verification and issuance")
    @EnumSource(value = AgentStatus.class, names = {"SUSPENDED", "RETIRED"})
    void agentNoLongerActiveWhenTheIssuingUnitRunsGetsNothing(AgentStatus status) {
        ClientAssertionVerifier.Verified verified = join(verifier.verify(ClientAssertionVerifier.ASSERTION_TYPE,
                agent.assertion(ISSUER, clock.instant()), null));
        assertThat(verified.agent().isActive()).as("active when verified").isTrue();
        join(store.write(tx -> new AgentRows(tx).updateStatus(DEMO, status, clock.instant())));

        Throwable failure = failureOf(clients.spend(verified, this::issueAgentToken));

        String reason = "client assertion rejected: agent demo-agent is " + status.wireName();
        assertThat(failure).isInstanceOf(OAuthRejectedException.class);
        OAuthRejectedException rejected = (OAuthRejectedException) failure;
        assertThat(rejected.status()).isEqualTo(401);
        assertThat(rejected.error()).isEqualTo("invalid_client");
        assertThat(rejected.reason()).isEqualTo(reason);
        assertThat(tokenRow()).as("token row").isEmpty();
        assertThat(tally.refused()).isEqualTo(1);
        join(tally.flush());
        List<AuditRecord> records = join(store.read(tx -> new AuditRows(tx).query(new AuditQuery(null, null, null, 0,
                100))));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).event().action()).isEqualTo("agent.authenticate");
        assertThat(records.get(0).event().decision().wireName()).isEqualTo("deny");
        assertThat(records.get(0).event().agentId()).isEqualTo("demo-agent");
        assertThat(records.get(0).event().reason()).endsWith(": " + reason);
    }

    @Test
    void activeAgentGetsWhatTheUnitIssuesAndTheAssertionIsSpent() {
        String assertion = agent.assertion(ISSUER, clock.instant());

        String issued = join(clients.authenticate(ClientAssertionVerifier.ASSERTION_TYPE, assertion, null,
                this::issueAgentToken));
        Throwable replay = failureOf(clients.authenticate(ClientAssertionVerifier.ASSERTION_TYPE, assertion, null,
                (tx, a) -> "second"));

        assertThat(issued).isEqualTo("agent-token-1");
        assertThat(tokenRow()).isPresent();
        assertThat(replay).isInstanceOf(OAuthRejectedException.class);
        assertThat(((OAuthRejectedException) replay).reason())
                .isEqualTo("client assertion rejected: it was already used (jti replayed) for agent demo-agent");
    }

    private String issueAgentToken(dev.stint.broker.store.Tx tx, Agent active) throws UnavailableException {
        Instant now = clock.instant();
        new TokenRows(tx).insert(new IssuedToken("agent-token-1", TokenKind.AGENT, "hash-1", active.id(), null, null,
                null, ISSUER, now, now.plusSeconds(300), null, null));
        return "agent-token-1";
    }

    private Optional<IssuedToken> tokenRow() {
        return join(store.read(tx -> new TokenRows(tx).byJti("agent-token-1")));
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
