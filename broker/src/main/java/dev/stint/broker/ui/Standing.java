package dev.stint.broker.ui;

import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.approvals.Vote;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.Role;
import dev.stint.broker.people.SignInMethod;
import java.util.Objects;

/**
 * What the person looking at a request may do about it, and why not. It mirrors the rules the
 * approvals API enforces (which decides in the end): only approvers, only pending requests,
 * nobody twice, and the agent's owner may deny but never approve.
 *
 * @param approveWith how an approval is proved: a passkey assertion, or (a person signed in by
 *     single sign-on without a passkey) the recent sign-in; {@code null} when they may not approve
 * @param why a sentence for the person when they may not do both; {@code null} when they may
 */
record Standing(ApproveWith approveWith, boolean mayDeny, String why) {

    enum ApproveWith {
        PASSKEY("passkey"), SESSION("session");

        private final String wireName;

        ApproveWith(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    boolean mayApprove() {
        return approveWith != null;
    }

    boolean mayAct() {
        return mayApprove() || mayDeny;
    }

    /**
     * @param passkeys how many passkeys {@code person} has registered
     * @param method how they signed in
     */
    static Standing of(Person person, SignInMethod method, int passkeys, ApprovalCase request) {
        Objects.requireNonNull(person, "person");
        if (request.status() != ApprovalStatus.PENDING) {
            return none("This request is " + request.status().wireName() + ": there is nothing left to decide.");
        }
        if (!person.has(Role.APPROVER)) {
            return none("Only approvers decide requests, and you are not one.");
        }
        var given = request.verdictOf(person.id());
        if (given.isPresent()) {
            return none("You " + (given.get().verdict() == Vote.Verdict.APPROVE ? "approved" : "denied")
                    + " this request at " + When.at(given.get().at()) + "; nobody decides twice.");
        }
        if (Person.ownerEmail(request.approval().owner()).isEmpty()) {
            return new Standing(null, true, "Agent " + request.approval().agentId().value() + " was registered with"
                    + " an owner that is not an email, so nobody can approve its task. You may still deny it.");
        }
        if (person.mayOwn(request.approval().owner())) {
            return new Standing(null, true, "You own agent " + request.approval().agentId().value()
                    + ": another approver must approve its task. You may still deny it.");
        }
        if (passkeys > 0) {
            return new Standing(ApproveWith.PASSKEY, true, null);
        }
        if (method == SignInMethod.OIDC) {
            return new Standing(ApproveWith.SESSION, true, null);
        }
        return new Standing(null, true, "You have no passkey to approve with: ask an admin for an enrollment"
                + " link. You may still deny.");
    }

    private static Standing none(String why) {
        return new Standing(null, false, why);
    }
}
