package dev.stint.broker.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No token carries a frozen action into a freeze: its exp stops where the freeze starts. */
class FreezeTokenLifetimeTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    static final Instant FREEZE = START.plusSeconds(120);

    @TempDir
    Path dir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    String agentToken;
    String writeTask;
    String readTask;

    @BeforeEach
    void start() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                grants:
                  demo-agent:
                    prod: ["db:orders:read", "db:orders:write"]
                freezes:
                  - tiers: [prod]
                    from: %s
                    until: 2026-11-24T12:00:00Z
                    deny: [write]
                    reason: Release freeze
                """.formatted(FREEZE));
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock);
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "prod"));
        writeTask = broker.openTask(agentToken, "prod", "[\"db:orders:write\"]", 900L).text("task_id");
        readTask = broker.openTask(agentToken, "prod", "[\"db:orders:read\"]", 900L).text("task_id");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void tokenForAFreezableActionExpiresWhenTheFreezeStarts() throws Exception {
        Response minted = broker.mint(agentToken, writeTask);

        assertThat(SignedJWT.parse(minted.text("access_token")).getJWTClaimsSet().getExpirationTime().toInstant())
                .isEqualTo(FREEZE);
    }

    @Test
    void tokenForActionsTheFreezeLeavesAloneKeepsItsFullLifetime() throws Exception {
        Response minted = broker.mint(agentToken, readTask);

        assertThat(SignedJWT.parse(minted.text("access_token")).getJWTClaimsSet().getExpirationTime().toInstant())
                .isEqualTo(START.plus(Duration.ofMinutes(5)));
    }

    @Test
    void noTokenIsMintedInTheLastSecondBeforeTheFreeze() {
        clock.set(FREEZE.minusMillis(500));

        Response refused = broker.mint(agentToken, writeTask);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).isEqualTo("a freeze on one of this task's actions in tier prod starts in"
                + " under a second; no token is minted into it");
    }

    @Test
    void duringTheFreezeThePolicySaysWhy() {
        clock.set(FREEZE);

        Response refused = broker.mint(agentToken, writeTask);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).isEqualTo("the policy no longer allows this task: scope db:orders:write is"
                + " frozen in tier prod until 2026-11-24T12:00:00Z: Release freeze");
    }
}
