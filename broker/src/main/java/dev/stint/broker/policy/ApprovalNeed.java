package dev.stint.broker.policy;

import dev.stint.token.Scope;
import java.util.List;

/**
 * Why a task must wait for people: the scopes the policy guards in its tier, each with its action
 * class and quorum, and the quorum of the whole task (the largest of them).
 *
 * @param breakGlass the reasons of the freezes in force that only break-glass approval lets the
 *     task through, joined; {@code null} when no freeze is in the way
 */
public record ApprovalNeed(int quorum, List<GuardedScope> guarded, String breakGlass) {

    /** The most approvers a policy may ask for: more is a typo, and no team could meet it. */
    public static final int MAX_QUORUM = 10;

    /**
     * A scope that needs approval: {@code actionClass} is {@code destructive} or the action's own
     * name, or {@code break-glass} for a frozen action that a break-glass freeze lets people allow.
     */
    public record GuardedScope(Scope scope, String actionClass, int quorum) {
    }

    public ApprovalNeed(int quorum, List<GuardedScope> guarded) {
        this(quorum, guarded, null);
    }

    public ApprovalNeed {
        guarded = List.copyOf(guarded);
        if (quorum < 1 || guarded.isEmpty()) {
            throw new IllegalArgumentException("an approval need has a quorum and at least one guarded scope");
        }
    }

    /** Whether approving it breaks the glass of a freeze in force. */
    public boolean isBreakGlass() {
        return breakGlass != null;
    }

    /** {@code db:orders:delete (destructive, 2)} for each guarded scope, comma separated. */
    public String describe() {
        return String.join(", ", guarded.stream()
                .map(g -> g.scope() + " (" + g.actionClass() + ", " + g.quorum() + ")").toList());
    }
}
