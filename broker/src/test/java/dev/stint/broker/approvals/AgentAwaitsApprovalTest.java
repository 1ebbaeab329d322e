package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.sdk.AgentKeys;
import dev.stint.sdk.StintClient;
import dev.stint.sdk.StintClientOptions;
import dev.stint.sdk.TaskInfo;
import dev.stint.sdk.TaskRequest;
import dev.stint.sdk.TaskSession;
import dev.stint.sdk.TaskStatus;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.Tier;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path an agent sees: it opens a guarded task, waits with the SDK (held reads, not
 * polling), two people approve, and the session it holds is active with a token naming them.
 */
class AgentAwaitsApprovalTest {

    @TempDir
    Path dataDir;
    BrokerHarness broker;
    StintClient client;

    @BeforeEach
    void start() {
        MutableClock clock = new MutableClock(PendingApprovalTest.TUESDAY);
        broker = BrokerHarness.start(dataDir, clock);
        ECKey key = AgentKeys.generate();
        assertThat(broker.postJson("/v1/agents", "{\"agent_id\":\"demo-agent\",\"owner\":\"alice@example.com\","
                + "\"purpose\":\"sdk\",\"tiers\":[\"prod\"],\"jwks\":" + AgentKeys.publicJwkSetJson(key) + "}",
                broker.adminToken()).status()).isEqualTo(201);
        client = StintClient.create(StintClientOptions.of(URI.create(broker.issuer()), new AgentId("demo-agent"), key,
                clock));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void agentWaitingForApprovalGetsAnActiveSessionWhoseTokenNamesTheApprovers() throws Exception {
        Approvers bob = Approvers.approver(broker, "bob");
        Approvers carol = Approvers.approver(broker, "carol");
        TaskSession session = client.openTask(TaskRequest.of(new Tier("prod"), "purge orders of closed accounts",
                List.of(Scope.parse("db:orders:delete"))));
        String approvalId = session.approvalId().orElseThrow();
        List<TaskInfo> progress = new CopyOnWriteArrayList<>();

        CompletableFuture<Void> people = CompletableFuture.runAsync(() -> {
            assertThat(bob.approve(approvalId).status()).isEqualTo(200);
            assertThat(carol.approve(approvalId).status()).isEqualTo(200);
        });
        TaskInfo active = session.awaitApproval(Duration.ofSeconds(20), progress::add);
        people.join();

        assertThat(active.status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(session.isPending()).isFalse();
        assertThat(SignedJWT.parse(session.token().value()).getJWTClaimsSet().getStringListClaim("approvals"))
                .containsExactly("bob", "carol");
    }
}
