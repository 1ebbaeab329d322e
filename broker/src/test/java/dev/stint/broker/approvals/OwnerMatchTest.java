package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.people.Person;
import dev.stint.broker.ui.PagesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An agent's owner is free text at registration; the person it names never approves its task,
 * however the email was written, and an owner that names no email lets nobody approve.
 */
class OwnerMatchTest {

    static final String POLICY = """
            tiers:
              prod: { max_ttl: 1h, default_ttl: 30m }
            destructive_actions: [delete]
            grants:
              odd-bot:
                prod: ["db:orders:delete"]
            approvals:
              prod: { destructive: 1 }
            """;

    @TempDir
    Path dir;
    BrokerHarness broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    String pendingTaskOwnedBy(String owner) throws Exception {
        broker = BrokerHarness.start(dir.resolve("data"), Files.writeString(dir.resolve("policy.yaml"), POLICY),
                new MutableClock(Instant.parse("2026-11-24T10:00:00Z")), o -> o);
        String token = broker.agentToken(broker.registerAgentOwnedBy("odd-bot", owner, "prod"));
        return broker.openTask(token, "prod", "[\"db:orders:delete\"]", null).text("approval_id");
    }

    @ParameterizedTest(name = "owner \"{0}\"")
    @ValueSource(strings = {"Alice@Example.com", "alice@example.com\u00A0", "\u2003alice@example.com",
            "Alice Liddell <alice@example.com>", "\uFF41lice@example.com", "alice@exa\uFF4Dple.com"})
    void ownerCannotApproveHoweverTheirEmailWasWritten(String owner) throws Exception {
        String approvalId = pendingTaskOwnedBy(owner);
        Approvers alice = Approvers.signedIn(broker, "alice", "alice@example.com", "[\"approver\"]");

        PagesClient.Page refused = alice.approve(approvalId);

        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("cannot approve its own agent's task");
    }

    @Test
    void anOwnerThatNamesNoEmailLetsNobodyApprove() throws Exception {
        String approvalId = pendingTaskOwnedBy("Alice Smith");
        Approvers bob = Approvers.approver(broker, "bob");

        PagesClient.Page refused = bob.approve(approvalId);

        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("not an email");
    }

    @Test
    void anotherPersonStillApprovesAnOwnerWrittenOddly() throws Exception {
        String approvalId = pendingTaskOwnedBy("Alice Liddell <ALICE@example.com>");

        PagesClient.Page approved = Approvers.approver(broker, "bob").approve(approvalId);

        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
    }

    @Test
    void ownerEmailsAreReadAsPeoplesEmailsAreKept() {
        for (String owner : List.of("alice@example.com", "ALICE@EXAMPLE.COM", " alice@example.com\u00A0",
                "Alice <alice@example.com>", "\uFF41lice@example.com")) {
            assertThat(Person.ownerEmail(owner)).as(owner).contains("alice@example.com");
        }
        for (String owner : List.of("Alice Smith", "alice@@example.com", "<>", "")) {
            assertThat(Person.ownerEmail(owner)).as(owner).isEmpty();
        }
    }
}
