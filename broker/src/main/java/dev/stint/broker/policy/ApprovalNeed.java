package dev.stint.broker.policy;

import dev.stint.token.Scope;
import java.util.List;

/**
 * Why a task must wait for people: the scopes the policy guards in its tier, each with its action
 * class and quorum, and the quorum of the whole task (the largest of them).
 */
public record ApprovalNeed(int quorum, List<GuardedScope> guarded) {

    /** A scope that needs approval: {@code actionClass} is {@code destructive} or the action's own name. */
    public record GuardedScope(Scope scope, String actionClass, int quorum) {
    }

    public ApprovalNeed {
        guarded = List.copyOf(guarded);
        if (quorum < 1 || guarded.isEmpty()) {
            throw new IllegalArgumentException("an approval need has a quorum and at least one guarded scope");
        }
    }

    /** {@code db:orders:delete (destructive, 2)} for each guarded scope, comma separated. */
    public String describe() {
        return String.join(", ", guarded.stream()
                .map(g -> g.scope() + " (" + g.actionClass() + ", " + g.quorum() + ")").toList());
    }
}
