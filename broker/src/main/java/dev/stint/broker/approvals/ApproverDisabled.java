package dev.stint.broker.approvals;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonDisabled;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A disabled person's approval no longer counts, for tasks already active too: each live task
 * they approved that, without them, falls short of its quorum ends, in the unit that disables
 * them (tokens revoked, database logins dropped), saying why.
 */
public final class ApproverDisabled implements PersonDisabled {

    private final TaskEnder ender;

    public ApproverDisabled(TaskEnder ender) {
        this.ender = Objects.requireNonNull(ender, "ender");
    }

    @Override
    public String disabled(Tx tx, Person person, String actor, Instant now) throws UnavailableException {
        int ended = 0;
        for (Approval approval : new ApprovalRows(tx).approvedWithTheVoteOf(person.id())) {
            List<String> still = ApprovalDecisions.approversOf(tx, approval);
            if (still.size() >= approval.quorum()) {
                continue;
            }
            if (ender.end(tx, approval.agentId(), approval.taskId(), new TaskEnder.Ending(TaskStatus.ENDED, actor,
                    "task.end", "approval " + approval.approvalId() + " lost its quorum: " + person.id()
                            + " was disabled (" + still.size() + " of " + approval.quorum() + " approval(s) left)"),
                    now)) {
                ended++;
            }
        }
        return ended == 0 ? "" : ended + " approved task(s) ended";
    }
}
