package dev.stint.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.store.EmbeddedStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recently seen agent tokens are a hint that ages on the broker's clock: a revocation this broker
 * did not make itself (another node, an operator's SQL) takes effect once the hint is older than
 * its five seconds on that clock, not on the wall clock.
 */
class RecentLoginHintTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev"));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private void revokeBehindTheBrokersBack() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE issued_tokens SET revoked_at = " + START.toEpochMilli()
                    + ", revoke_reason = 'revoked elsewhere' WHERE kind = 'agent'");
        }
    }

    @Test
    void agentTokenRevokedElsewhereIsRefusedOnceTheHintAgesOnTheBrokersClock() throws Exception {
        assertThat(broker.get("/v1/tasks/tsk_unknown", agentToken).status()).isEqualTo(404);
        revokeBehindTheBrokersBack();

        clock.advance(Duration.ofSeconds(6));

        assertThat(broker.get("/v1/tasks/tsk_unknown", agentToken).status()).isEqualTo(401);
    }
}
