package dev.stint.broker.ui;

import dev.stint.broker.approvals.Approval;
import dev.stint.broker.approvals.ApprovalDecisions;
import dev.stint.broker.approvals.ApprovalRows;
import dev.stint.broker.approvals.ApprovalStatus;
import dev.stint.broker.approvals.Vote;
import dev.stint.broker.approvals.VoteRows;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.people.Person;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An approval request as the pages show it: what was asked, where it stands now, and every
 * verdict with the person who gave it.
 *
 * @param status as of the moment it was read (a pending request past its window reads expired)
 * @param verdicts in the order they were given; empty when nobody decided yet
 * @param counted the approvals the quorum counts now (active approvers, never the owner)
 */
record ApprovalCase(Approval approval, ApprovalStatus status, List<Verdict> verdicts, int counted) {

    /** The most requests one list shows. */
    static final int LIST_LIMIT = 200;

    /**
     * One person's verdict.
     *
     * @param name {@code null} when the person gave none; {@code email} {@code null} when the person is gone
     * @param comment {@code null} when none was given
     */
    record Verdict(String personId, String name, String email, Vote.Verdict verdict, String comment, Instant at) {

        Verdict {
            Objects.requireNonNull(personId, "personId");
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(at, "at");
        }

        /** The name to show: the name if given, else the email, else the id. */
        String who() {
            return name != null ? name : email != null ? email : personId;
        }
    }

    ApprovalCase {
        Objects.requireNonNull(approval, "approval");
        Objects.requireNonNull(status, "status");
        verdicts = List.copyOf(verdicts);
    }

    /** How many approvals count toward the quorum now: a disabled person's no longer does. */
    long approvals() {
        return counted;
    }

    /** The verdict {@code personId} gave, if any. */
    Optional<Verdict> verdictOf(String personId) {
        return verdicts.stream().filter(v -> v.personId().equals(personId)).findFirst();
    }

    /** @return empty when no request has that id */
    static Optional<ApprovalCase> find(Tx tx, String approvalId, Instant now) throws UnavailableException {
        Optional<Approval> approval = new ApprovalRows(tx).find(approvalId);
        return approval.isEmpty() ? Optional.empty() : Optional.of(of(tx, approval.get(), now));
    }

    /**
     * The requests whose status is {@code status} now, newest first: a pending request whose
     * window has closed is left out of the pending ones (the sweep is about to expire it).
     */
    static List<ApprovalCase> withStatus(Tx tx, ApprovalStatus status, Instant now) throws UnavailableException {
        List<ApprovalCase> cases = new ArrayList<>();
        for (Approval approval : new ApprovalRows(tx).withStatus(status, LIST_LIMIT)) {
            if (approval.statusAt(now) == status) {
                cases.add(of(tx, approval, now));
            }
        }
        return cases;
    }

    private static ApprovalCase of(Tx tx, Approval approval, Instant now) throws UnavailableException {
        List<Verdict> verdicts = new ArrayList<>();
        for (VoteRows.Cast cast : new VoteRows(tx).withVoters(approval.approvalId())) {
            Vote vote = cast.vote();
            verdicts.add(new Verdict(vote.personId(), cast.voter().map(Person::name).orElse(null),
                    cast.voter().map(Person::email).orElse(null), vote.verdict(), vote.comment(), vote.at()));
        }
        return new ApprovalCase(approval, approval.statusAt(now), verdicts,
                ApprovalDecisions.approversOf(tx, approval).size());
    }
}
