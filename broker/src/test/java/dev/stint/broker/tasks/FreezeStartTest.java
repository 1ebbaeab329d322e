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

/**
 * Promise 4, second half, through the real HTTP API: when a freeze starts, the live tasks holding
 * an action it denies in its tier are ended, their tokens revoked, and the audit log says which
 * freeze did it. The broker's own sweep runs each second; the test moves the clock and waits for
 * the sweep's record, never for time.
 */
class FreezeStartTest {

    static final Instant START = Instant.parse("2026-12-19T23:59:00Z");
    static final Instant FREEZE = START.plusSeconds(60);
    static final String REASON = "Year-end change freeze";

    /** No approvals in prod, so that a task holding a destructive action opens active. */
    static final String POLICY = """
            tiers:
              dev:  { max_ttl: 8h,  default_ttl: 1h }
              prod: { max_ttl: 15m, default_ttl: 5m }
            destructive_actions: [delete, ddl, admin]
            grants:
              demo-agent:
                dev:  ["db:orders:read", "db:orders:delete"]
                prod: ["db:orders:read", "db:orders:delete"]
            """;

    static final String YEAR_END = """
            freezes:
              - tiers: [prod]
                from: %s
                until: 2027-01-04T00:00:00Z
                deny: [delete, ddl]
                reason: "%s"
            """;

    @TempDir
    Path dir;

    MutableClock clock = new MutableClock(START);
    Path policy;
    BrokerHarness broker;
    String agentToken;

    void start(String policyText) throws Exception {
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, policyText);
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock);
        agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev", "prod"));
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    String open(String tier, String scopes) {
        Response opened = broker.openTask(agentToken, tier, scopes, 900L);
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        assertThat(opened.text("status")).isEqualTo("active");
        return opened.text("task_id");
    }

    Response task(String taskId) {
        return broker.get("/v1/tasks/" + taskId, broker.adminToken());
    }

    @Test
    void freezeThatStartsEndsALiveTaskHoldingAFrozenAction() throws Exception {
        start(POLICY + YEAR_END.formatted(FREEZE, REASON));
        String cleanup = open("prod", "[\"db:orders:read\", \"db:orders:delete\"]");
        String reader = open("prod", "[\"db:orders:read\"]");
        String devCleanup = open("dev", "[\"db:orders:delete\"]");
        String token = broker.mint(agentToken, cleanup).text("access_token");

        clock.set(FREEZE);
        Response audit = awaitAudit(cleanup, "task.freeze");

        Response ended = task(cleanup);
        assertThat(ended.text("status")).isEqualTo("ended");
        assertThat(ended.text("end_reason")).isEqualTo("ended by freeze \"" + REASON + "\" (prod: delete)");
        assertThat(ended.text("ended_at")).isEqualTo(FREEZE.toString());
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
        assertThat(audit.body()).contains("\"actor\":\"system\"")
                .contains("task ended (ended by freeze \\\"" + REASON + "\\\" (prod: delete)); 1 token(s) revoked");
        assertThat(task(reader).text("status")).as("only actions the freeze leaves alone").isEqualTo("active");
        assertThat(task(devCleanup).text("status")).as("a tier the freeze leaves alone").isEqualTo("active");
    }

    @Test
    void recurringFreezeStartingMidTaskEndsIt() throws Exception {
        // Fridays 16:00 Berlin for 64 h; Friday 2026-11-27 16:00 CET is 15:00Z.
        Instant friday = Instant.parse("2026-11-27T15:00:00Z");
        clock.set(friday.minusSeconds(120));
        start(POLICY + """
                freezes:
                  - tiers: [prod]
                    schedule: "0 16 * * FRI"
                    duration: 64h
                    time_zone: Europe/Berlin
                    deny: [delete, ddl, admin]
                    reason: No destructive changes over the weekend
                """);
        String cleanup = open("prod", "[\"db:orders:delete\"]");

        clock.set(friday);
        awaitAudit(cleanup, "task.freeze");

        Response ended = task(cleanup);
        assertThat(ended.text("status")).isEqualTo("ended");
        assertThat(ended.text("end_reason"))
                .isEqualTo("ended by freeze \"No destructive changes over the weekend\" (prod: delete)");
    }

    @Test
    void policyReloadAddingAFreezeInForceNowEndsMatchingTasks() throws Exception {
        start(POLICY);
        String cleanup = open("prod", "[\"db:orders:delete\"]");
        String reader = open("prod", "[\"db:orders:read\"]");
        // Minted while no freeze was known: the token's exp is not cut, so only a revocation stops it.
        String token = broker.mint(agentToken, cleanup).text("access_token");
        String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();

        clock.advance(Duration.ofSeconds(10));
        Files.writeString(policy, POLICY + YEAR_END.formatted(START, "Incident 4711: no deletes"));
        awaitAudit(cleanup, "task.freeze");

        assertThat(task(cleanup).text("end_reason"))
                .isEqualTo("ended by freeze \"Incident 4711: no deletes\" (prod: delete)");
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
        assertThat(broker.get("/v1/revocations", null).json().get("revoked").findValuesAsText("jti"))
                .containsExactly(jti);
        assertThat(task(reader).text("status")).isEqualTo("active");
    }

    /** The sweep (and the policy's reload) run on the broker's own timers: wait for the record, not for time. */
    private Response awaitAudit(String taskId, String action) {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Response audit;
        do {
            audit = broker.get("/v1/audit?task_id=" + taskId, broker.adminToken());
            if (audit.body().contains("\"" + action + "\"")) {
                return audit;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < until);
        throw new AssertionError("no " + action + " record for " + taskId + ": " + audit.body());
    }
}
