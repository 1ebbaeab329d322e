package dev.stint.broker;

import static dev.stint.broker.ClientLoad.from;
import static dev.stint.broker.ClientLoad.issued;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.store.PostgresTestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers, each a JVM of its own with its own data directory and port, keep their data in
 * one PostgreSQL database, with the same master key and issuer, as they would behind a load
 * balancer: whatever happens on one holds on the other, and one dying takes nothing with it.
 */
class TwoBrokerProcessesTest {

    /** The address clients know the deployment by (a load balancer's), shared by both brokers. */
    private static final String ISSUER = "https://stint.example.test";

    @TempDir
    Path work;

    BrokerProcess first;
    BrokerProcess second;
    String admin;
    final TestAgent agent = TestAgent.generate("demo-agent");

    /** The first broker creates the admin credential in its data directory; the second finds it in the store. */
    @BeforeEach
    void startTwoBrokersOnOneDatabase() {
        Path deployment = BrokerProcess.writeDeployment(work.resolve("config"), PostgresTestDatabase.port(),
                PostgresTestDatabase.createDatabase(), PostgresTestDatabase.USER, "the test server trusts any");
        String[] shared = {"--config", deployment.toString(),
                "--master-key-file", work.resolve("master.key").toString(), "--issuer", ISSUER};
        first = BrokerProcess.start(work.resolve("node-1"), shared);
        second = BrokerProcess.start(work.resolve("node-2"), shared);
        admin = first.adminToken();
    }

    @AfterEach
    void stopBrokers() {
        for (BrokerProcess broker : new BrokerProcess[] {first, second}) {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void agentRegisteredOnOneNodeWorksAcrossBoth() {
        first.register(admin, agent);
        String agentToken = second.login(agent);
        String taskId = second.openTask(agentToken);
        String taskToken = BrokerProcess.json(first.mint(agentToken, taskId), 200).get("access_token").asText();
        assertThat(second.introspect(admin, taskToken).get("active").asBoolean()).isTrue();

        BrokerProcess.json(second.post("/v1/tasks/" + taskId + "/end", agentToken), 200);

        assertThat(first.introspect(admin, taskToken).get("active").asBoolean()).isFalse();
        assertThat(second.introspect(admin, taskToken).get("active").asBoolean()).isFalse();
        assertThat(first.auditChainValid(admin)).isTrue();
        assertThat(second.auditChainValid(admin)).isTrue();
    }

    @Test
    void suspensionOnOneNodeIsEnforcedOnTheOtherWithinASecond() {
        first.register(admin, agent);
        String agentToken = second.login(agent);
        String taskId = second.openTask(agentToken);
        // Just used on the second broker, so the second broker holds the login in memory.
        assertThat(second.get("/v1/tasks/" + taskId, agentToken).statusCode()).isEqualTo(200);

        BrokerProcess.json(first.post("/v1/agents/" + agent.id() + "/suspend", admin), 200);
        long suspended = System.nanoTime();
        List<Integer> seen = new ArrayList<>();
        int status = 200;
        while (status == 200 && System.nanoTime() - suspended < Duration.ofSeconds(5).toNanos()) {
            status = second.get("/v1/tasks/" + taskId, agentToken).statusCode();
            seen.add(status);
        }
        long delayMs = Duration.ofNanos(System.nanoTime() - suspended).toMillis();
        System.out.println("suspension seen by the other node after " + delayMs + " ms");

        assertThat(status).as("answers of the second broker: %s", seen).isEqualTo(401);
        assertThat(delayMs).isLessThanOrEqualTo(1_000);
    }

    @Test
    void killingOneNodeUnderLoadLosesNothingTheOtherKeepsServing() {
        first.register(admin, agent);
        String onFirst = first.login(agent);
        String onSecond = second.login(agent);
        String taskId = second.openTask(onSecond);
        List<ClientLoad.Answer> secondAfterKill;
        List<ClientLoad.Answer> received;
        long killed;
        try (ClientLoad load = new ClientLoad()
                .add("node-1", 3, () -> first.mint(onFirst, taskId))
                .add("node-2", 3, () -> second.mint(onSecond, taskId))) {
            assertThat(load.await(from("node-1").and(issued()), 100, Duration.ofSeconds(30))).isTrue();
            assertThat(load.await(from("node-2").and(issued()), 100, Duration.ofSeconds(30))).isTrue();

            first.kill();
            killed = System.nanoTime();
            assertThat(load.await(from("node-2").and(issued()).and(a -> a.sentAfter(killed)), 100,
                    Duration.ofSeconds(30))).isTrue();
            load.stop();
            secondAfterKill = load.answers(from("node-2").and(a -> a.sentAfter(killed)));
            received = load.answers(issued());
        }

        // Only requests in flight at the kill may have failed; everything the second broker was sent since succeeded.
        assertThat(secondAfterKill).isNotEmpty()
                .allSatisfy(a -> assertThat(a.status()).as(a.toString()).isEqualTo(200));
        List<String> unknown = received.stream().flatMap(a -> a.token().stream())
                .filter(token -> !second.introspect(admin, token).get("active").asBoolean()).toList();
        assertThat(unknown).as("tokens received that the surviving broker does not know").isEmpty();
        assertThat(second.recordedTokenIds(admin)).containsAll(ClientLoad.taskTokenIds(received));
        assertThat(second.auditChainValid(admin)).isTrue();

        first.restart();
        BrokerProcess.json(first.mint(onFirst, taskId), 200);
    }
}
