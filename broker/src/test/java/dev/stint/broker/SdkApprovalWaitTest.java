package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.ApprovalTimeoutException;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskInfo;
import dev.stint.sdk.TaskNotApprovedException;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.sdk.TaskStatus;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK waiting for approval against the real broker: a pending session, held reads, and their end. */
class SdkApprovalWaitTest {

    /** A Tuesday, outside the sample policy's freezes. */
    static final Instant TUESDAY = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(TUESDAY);
    BrokerHarness broker;
    StintClient client;
    final List<TaskInfo> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        ECKey key = AgentKeys.generate();
        BrokerHarness.Response registered = broker.postJson("/v1/agents", "{\"agent_id\":\"demo-agent\","
                + "\"owner\":\"alice@example.com\",\"purpose\":\"sdk\",\"tiers\":[\"prod\"],\"jwks\":"
                + AgentKeys.publicJwkSetJson(key) + "}", broker.adminToken());
        assertThat(registered.status()).isEqualTo(201);
        client = StintClient.create(StintClientOptions.of(URI.create(broker.issuer()), new AgentId("demo-agent"), key,
                clock));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private TaskSession openGuarded() throws Exception {
        return client.openTask(TaskRequest.of(new Tier("prod"), "purge old orders",
                List.of(Scope.parse("db:orders:delete"))));
    }

    @Test
    void guardedTaskOpensAsAPendingSessionNamingItsApproval() throws Exception {
        TaskSession session = openGuarded();

        assertThat(session.isPending()).isTrue();
        assertThat(session.approvalId()).hasValueSatisfying(id -> assertThat(id).startsWith("apr_"));
    }

    @Test
    void taskEndedWhileTheAgentWaitsIsNotApprovedWithTheBrokersReason() throws Exception {
        TaskSession session = openGuarded();
        String taskId = session.taskId().value();
        CompletableFuture<Void> endLater = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(500); // lets the wait reach the broker first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            broker.postRaw("/v1/tasks/" + taskId + "/end", null, new byte[0], broker.adminToken());
        });

        long start = System.nanoTime();
        assertThatThrownBy(() -> session.awaitApproval(Duration.ofSeconds(30), progress::add))
                .isInstanceOfSatisfying(TaskNotApprovedException.class, e -> {
                    assertThat(e.taskStatus()).isEqualTo(TaskStatus.ENDED);
                    assertThat(e.endReason()).isPresent();
                });
        endLater.join();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void taskStillPendingWhenTheTimeRunsOutIsATimeout() throws Exception {
        TaskSession session = openGuarded();

        assertThatThrownBy(() -> session.awaitApproval(Duration.ofSeconds(2), progress::add))
                .isInstanceOf(ApprovalTimeoutException.class);

        assertThat(progress).isNotEmpty().allSatisfy(seen ->
                assertThat(seen.status()).isEqualTo(TaskStatus.PENDING_APPROVAL));
        assertThat(session.isPending()).isTrue();
    }
}
