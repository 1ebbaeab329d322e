package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.approvals.Approval;
import dev.stint.broker.approvals.ApprovalDigest;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.approvals.Vote;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonStatus;
import dev.stint.broker.people.Role;
import dev.stint.broker.people.SignInMethod;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a person looking at a request is offered, mirroring the rules the approvals API enforces. */
class StandingTest {

    static final Instant T0 = GuardedRequests.TUESDAY;
    static final Person BOB = person("bob", "bob@example.com", Role.APPROVER);
    static final Person ALICE = person("alice", "alice@example.com", Role.APPROVER);
    static final Person ERIN = person("erin", "erin@example.com", Role.AUDITOR);

    static Person person(String id, String email, Role role) {
        return new Person(id, email, null, List.of(role), PersonStatus.ACTIVE, T0, T0);
    }

    static ApprovalCase request(ApprovalStatus status, List<ApprovalCase.Verdict> verdicts) {
        TaskId task = new TaskId("tsk_0123456789abcdef0123456789ab");
        AgentId agent = new AgentId("demo-agent");
        List<Scope> scopes = Scope.parseList("db:orders:delete");
        TaskDeadline deadline = new TaskDeadline(T0.plusSeconds(900));
        Approval approval = new Approval("apr_x", agent, task, "Alice@Example.com", new Tier("prod"), scopes, "purge",
                deadline, ApprovalDigest.of(task, agent, "Alice@Example.com", new Tier("prod"), scopes, "purge",
                        deadline), 2, "db:orders:delete (destructive, 2)", status, T0, T0.plusSeconds(600),
                status == ApprovalStatus.PENDING ? null : T0.plusSeconds(60));
        return new ApprovalCase(approval, status, verdicts,
                (int) verdicts.stream().filter(v -> v.verdict() == Vote.Verdict.APPROVE).count());
    }

    static final ApprovalCase PENDING = request(ApprovalStatus.PENDING, List.of());

    static Stream<Arguments> standings() {
        ApprovalCase bobApproved = request(ApprovalStatus.PENDING, List.of(new ApprovalCase.Verdict("bob", null,
                "bob@example.com", Vote.Verdict.APPROVE, null, T0.plusSeconds(5))));
        return Stream.of(
                Arguments.of("approver with a passkey", BOB, SignInMethod.PASSKEY, 1, PENDING,
                        Standing.ApproveWith.PASSKEY, true, null),
                Arguments.of("approver with a passkey, signed in by single sign-on", BOB, SignInMethod.OIDC, 1,
                        PENDING, Standing.ApproveWith.PASSKEY, true, null),
                Arguments.of("approver without a passkey, signed in by single sign-on", BOB, SignInMethod.OIDC, 0,
                        PENDING, Standing.ApproveWith.SESSION, true, null),
                Arguments.of("approver without a passkey, signed in by passkey", BOB, SignInMethod.PASSKEY, 0,
                        PENDING, null, true, "You have no passkey to approve with: ask an admin for an enrollment"
                                + " link. You may still deny."),
                Arguments.of("the agent's owner, any letter case", ALICE, SignInMethod.PASSKEY, 1, PENDING, null, true,
                        "You own agent demo-agent: another approver must approve its task. You may still deny it."),
                Arguments.of("not an approver", ERIN, SignInMethod.PASSKEY, 1, PENDING, null, false,
                        "Only approvers decide requests, and you are not one."),
                Arguments.of("decided already", BOB, SignInMethod.PASSKEY, 1, bobApproved, null, false,
                        "You approved this request at 2026-11-24 10:00:05 UTC; nobody decides twice."),
                Arguments.of("request approved", BOB, SignInMethod.PASSKEY, 1, request(ApprovalStatus.APPROVED,
                        List.of()), null, false, "This request is approved: there is nothing left to decide."),
                Arguments.of("request expired", BOB, SignInMethod.PASSKEY, 1, request(ApprovalStatus.EXPIRED,
                        List.of()), null, false, "This request is expired: there is nothing left to decide."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("standings")
    void viewerIsOfferedWhatTheApiAllows(String name, Person viewer, SignInMethod method, int passkeys,
            ApprovalCase request, Standing.ApproveWith approveWith, boolean mayDeny, String why) {
        Standing standing = Standing.of(viewer, method, passkeys, request);

        assertThat(standing).isEqualTo(new Standing(approveWith, mayDeny, why));
    }
}
