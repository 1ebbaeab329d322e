package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The digest binds an approval to exactly what was asked: every field counts, nothing else does. */
class ApprovalDigestTest {

    record Asked(TaskId task, AgentId agent, String owner, Tier tier, List<Scope> scopes, String purpose,
            TaskDeadline deadline) {
        ApprovalDigest digest() {
            return ApprovalDigest.of(task, agent, owner, tier, scopes, purpose, deadline);
        }
    }

    static final Asked ASKED = new Asked(new TaskId("tsk-1"), new AgentId("cleanup-bot"), "alice@example.com",
            new Tier("prod"), List.of(Scope.parse("db:orders:delete")), "purge test rows",
            new TaskDeadline(Instant.parse("2026-11-24T10:15:00Z")));

    static Stream<Arguments> changes() {
        return Stream.of(
                change("another task", a -> new Asked(new TaskId("tsk-2"), a.agent(), a.owner(), a.tier(), a.scopes(),
                        a.purpose(), a.deadline())),
                change("another agent", a -> new Asked(a.task(), new AgentId("other-bot"), a.owner(), a.tier(),
                        a.scopes(), a.purpose(), a.deadline())),
                change("another owner", a -> new Asked(a.task(), a.agent(), "bob@example.com", a.tier(), a.scopes(),
                        a.purpose(), a.deadline())),
                change("another tier", a -> new Asked(a.task(), a.agent(), a.owner(), new Tier("staging"), a.scopes(),
                        a.purpose(), a.deadline())),
                change("one more scope", a -> new Asked(a.task(), a.agent(), a.owner(), a.tier(),
                        List.of(Scope.parse("db:orders:delete"), Scope.parse("db:users:delete")), a.purpose(),
                        a.deadline())),
                change("another purpose", a -> new Asked(a.task(), a.agent(), a.owner(), a.tier(), a.scopes(),
                        "purge all rows", a.deadline())),
                change("a later deadline", a -> new Asked(a.task(), a.agent(), a.owner(), a.tier(), a.scopes(),
                        a.purpose(), new TaskDeadline(a.deadline().at().plusSeconds(1)))),
                change("a field's end moved into the next", a -> new Asked(a.task(), a.agent(), a.owner() + "|4:prod",
                        new Tier("x"), a.scopes(), a.purpose(), a.deadline())));
    }

    static Arguments change(String name, Function<Asked, Asked> change) {
        return Arguments.of(name, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void everyFieldChangesTheDigest(String name, Function<Asked, Asked> change) {
        assertThat(change.apply(ASKED).digest()).isNotEqualTo(ASKED.digest());
    }

    @Test
    void sameRequestSameDigest() {
        Asked again = new Asked(new TaskId("tsk-1"), new AgentId("cleanup-bot"), "alice@example.com", new Tier("prod"),
                List.of(Scope.parse("db:orders:delete")), "purge test rows",
                new TaskDeadline(Instant.parse("2026-11-24T10:15:00Z")));

        assertThat(again.digest()).isEqualTo(ASKED.digest());
    }

    @Test
    void scopeOrderDoesNotMatter() {
        Asked ab = new Asked(ASKED.task(), ASKED.agent(), ASKED.owner(), ASKED.tier(),
                List.of(Scope.parse("db:a:delete"), Scope.parse("db:b:delete")), ASKED.purpose(), ASKED.deadline());
        Asked ba = new Asked(ASKED.task(), ASKED.agent(), ASKED.owner(), ASKED.tier(),
                List.of(Scope.parse("db:b:delete"), Scope.parse("db:a:delete")), ASKED.purpose(), ASKED.deadline());

        assertThat(ab.digest()).isEqualTo(ba.digest());
    }

    @Test
    void textRoundTripsAndIsAWebAuthnSizedChallenge() {
        ApprovalDigest digest = ASKED.digest();

        assertThat(ApprovalDigest.parse(digest.text())).isEqualTo(digest);
        assertThat(digest.text()).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(digest.value()).hasSize(32);
    }

    @Test
    void fieldLengthsAreUtf8BytesSoEveryLanguageCountsThemAlike() throws Exception {
        TaskId task = new TaskId("tsk_1");
        AgentId agent = new AgentId("demo-agent");
        TaskDeadline deadline = new TaskDeadline(java.time.Instant.parse("2026-11-24T10:15:00Z"));
        String purpose = "purge \uD83E\uDDF9 orders"; // a broom: 2 UTF-16 units, 4 UTF-8 bytes

        ApprovalDigest digest = ApprovalDigest.of(task, agent, "alice@example.com", new dev.stint.token.Tier("prod"),
                java.util.List.of(dev.stint.token.Scope.parse("db:orders:delete")), purpose, deadline);

        String canonical = "17:stint-approval-v1|5:tsk_1|10:demo-agent|17:alice@example.com|4:prod|16:db:orders:delete|"
                + "17:" + purpose + "|20:2026-11-24T10:15:00Z|";
        assertThat(digest.value()).isEqualTo(java.security.MessageDigest.getInstance("SHA-256")
                .digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
