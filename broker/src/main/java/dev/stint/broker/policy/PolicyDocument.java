package dev.stint.broker.policy;

import dev.stint.token.ScopePattern;
import dev.stint.token.Tier;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated policy file. Maps keep the file's order; tiers are listed from least to most risky.
 *
 * @param groups group name to the agent ids in it
 * @param grants agent id or {@code group:<name>} to tier to the scope patterns granted there
 * @param approvals tier to action class ({@code destructive} or an action name) to quorum
 */
public record PolicyDocument(
        Map<Tier, TierPolicy> tiers,
        Set<String> destructiveActions,
        Map<String, Set<String>> groups,
        Map<String, Map<Tier, List<ScopePattern>>> grants,
        Map<Tier, Map<String, Integer>> approvals,
        List<Freeze> freezes,
        Map<String, DatabaseRole> databaseRoles) {

    public PolicyDocument {
        tiers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tiers));
        destructiveActions = Set.copyOf(destructiveActions);
        groups = Map.copyOf(groups);
        grants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(grants));
        approvals = Map.copyOf(approvals);
        freezes = List.copyOf(freezes);
        databaseRoles = Map.copyOf(databaseRoles);
    }

    /** {@code destructive} for destructive actions, otherwise the action's own name. */
    public String actionClass(String action) {
        return destructiveActions.contains(action) ? "destructive" : action;
    }
}
