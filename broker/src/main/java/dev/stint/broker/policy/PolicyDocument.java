package dev.stint.broker.policy;

import dev.stint.token.ScopePattern;
import dev.stint.token.Tier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated policy file. Maps keep the file's order; tiers are listed from least to most risky.
 *
 * @param groups group name to the agent ids in it
 * @param grants agent id or {@code group:<name>} to tier to the scope patterns granted there
 * @param approvals tier to action class ({@code destructive} or an action name) to quorum
 * @param databaseRoles role name to the role, its connections checked against the deployment
 * @param federation the rules that let CI jobs in as agents, in file order
 * @param approvalTiming how long a pending task waits, and how fresh an approver's sign-in must be
 */
public record PolicyDocument(
        Map<Tier, TierPolicy> tiers,
        Set<String> destructiveActions,
        Map<String, Set<String>> groups,
        Map<String, Map<Tier, List<ScopePattern>>> grants,
        Map<Tier, Map<String, Integer>> approvals,
        List<Freeze> freezes,
        Map<String, DatabaseRole> databaseRoles,
        List<FederationRule> federation,
        ApprovalTiming approvalTiming) {

    public PolicyDocument {
        tiers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tiers));
        destructiveActions = Set.copyOf(destructiveActions);
        groups = Map.copyOf(groups);
        grants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(grants));
        approvals = Map.copyOf(approvals);
        freezes = List.copyOf(freezes);
        databaseRoles = Map.copyOf(databaseRoles);
        federation = List.copyOf(federation);
        java.util.Objects.requireNonNull(approvalTiming, "approvalTiming");
    }

    /**
     * The database role of that name as it applies in {@code tier}; empty when the policy has no
     * such role or the role has no entry for that tier. A present role may still lack a connection
     * ({@link ResolvedRole#connection()} empty) when the deployment has none for the tier.
     */
    public Optional<ResolvedRole> databaseRole(String name, Tier tier) {
        DatabaseRole role = databaseRoles.get(name);
        RoleBackend backend = role == null ? null : role.backends().get(tier);
        return backend == null ? Optional.empty()
                : Optional.of(new ResolvedRole(role.name(), role.scope(), tier, backend));
    }

    /** {@code destructive} for destructive actions, otherwise the action's own name. */
    public String actionClass(String action) {
        return destructiveActions.contains(action) ? "destructive" : action;
    }
}
