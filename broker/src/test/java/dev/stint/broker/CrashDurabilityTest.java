package dev.stint.broker;

import static dev.stint.broker.ClientLoad.issued;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process killed with SIGKILL in the middle of minting loses nothing it answered:
 * every token a client received is on the audit log and known to introspection after restart,
 * and the hash chain is intact. The broker runs as a real separate JVM on the real clock.
 *
 * <p>What this proves, and what it does not: kill -9 ends the process but leaves the operating
 * system's page cache alone, so this proves commit-before-answer (no answer leaves before its
 * unit committed), not that the commit reached the disk. That part rests on the store syncing
 * every group commit ({@code synchronous=FULL} in write-ahead-log mode, one sync per batch),
 * which only a power cut or a virtual machine's hard reset would test.
 */
class CrashDurabilityTest {

    @TempDir
    Path work;

    BrokerProcess broker;

    @AfterEach
    void kill() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyTokenAnsweredBeforeAKillMinusNineIsOnRecordAfterRestart() {
        broker = BrokerProcess.start(work.resolve("data"));
        String admin = broker.adminToken();
        TestAgent agent = TestAgent.generate("demo-agent");
        broker.register(admin, agent);
        String agentToken = broker.login(agent);
        String taskId = broker.openTask(agentToken);

        Set<String> answered;
        try (ClientLoad load = new ClientLoad().add("minting", 8, () -> broker.mint(agentToken, taskId))) {
            load.await(issued(), 300, Duration.ofSeconds(20));
            broker.kill();
            load.stop();
            answered = ClientLoad.taskTokenIds(load.answers(issued()));
        }
        assertThat(answered).hasSizeGreaterThanOrEqualTo(50);

        broker.restart();

        assertThat(broker.auditChainValid(admin)).isTrue();
        assertThat(broker.recordedTokenIds(admin)).containsAll(answered);
    }
}
