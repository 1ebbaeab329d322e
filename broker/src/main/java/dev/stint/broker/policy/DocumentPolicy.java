package dev.stint.broker.policy;

import dev.stint.token.Scope;
import dev.stint.token.ScopePattern;
import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides from one validated {@link PolicyDocument}. The checks run in a fixed order and the
 * first that fails is the reason: tier defined, agent active, agent registered for the tier,
 * every scope granted, no scope frozen, no scope needing an approval; then the TTL is capped.
 */
public final class DocumentPolicy implements Policy {

    private final PolicyDocument document;

    public DocumentPolicy(PolicyDocument document) {
        this.document = Objects.requireNonNull(document, "document");
    }

    @Override
    public PolicyDocument document() {
        return document;
    }

    @Override
    public Optional<TierPolicy> tier(Tier tier) {
        return Optional.ofNullable(document.tiers().get(tier));
    }

    @Override
    public Decision decide(PolicyRequest request) {
        Subject agent = request.subject();
        Tier tier = request.tier();
        TierPolicy limits = document.tiers().get(tier);
        if (limits == null) {
            return Decision.deny("tier " + tier + " is not defined in the policy");
        }
        if (!agent.isActive()) {
            return Decision.deny("agent " + agent.id() + " is " + agent.state());
        }
        if (!agent.tiers().contains(tier)) {
            return Decision.deny("agent " + agent.id() + " is not registered for tier " + tier);
        }
        if (request.scopes().isEmpty()) {
            return Decision.deny("a task needs at least one scope");
        }
        List<ScopePattern> granted = grantsOf(agent, tier);
        List<String> ungranted = new ArrayList<>();
        for (Scope scope : request.scopes()) {
            if (granted.stream().noneMatch(p -> p.matches(scope))) {
                ungranted.add(scope.toString());
            }
        }
        if (!ungranted.isEmpty()) {
            return Decision.deny((ungranted.size() == 1 ? "scope " : "scopes ") + String.join(" ", ungranted)
                    + (ungranted.size() == 1 ? " is" : " are") + " not granted to agent " + agent.id()
                    + " in tier " + tier);
        }
        // A freeze in force denies; one with break-glass instead lets its quorum of people allow.
        List<ApprovalNeed.GuardedScope> brokenGlass = new ArrayList<>();
        List<String> frozenBy = new ArrayList<>();
        for (Scope scope : request.scopes()) {
            for (Freeze freeze : document.freezes()) {
                if (freeze.covers(tier, scope.action())) {
                    Optional<Instant> until = freeze.activeUntil(request.now());
                    if (until.isPresent() && !freeze.hasBreakGlass()) {
                        return Decision.deny("scope " + scope + " is frozen in tier " + tier + " until "
                                + until.get() + ": " + freeze.reason());
                    }
                    if (until.isPresent()) {
                        brokenGlass.add(new ApprovalNeed.GuardedScope(scope, "break-glass", freeze.breakGlassQuorum()));
                        String frozen = "scope " + scope + " is frozen in tier " + tier + " until " + until.get()
                                + ": " + freeze.reason();
                        if (!frozenBy.contains(frozen)) {
                            frozenBy.add(frozen);
                        }
                    }
                }
            }
        }
        Duration requested = request.requestedTtl();
        Duration ttl;
        String ttlReason;
        if (requested == null) {
            ttl = limits.defaultTtl();
            ttlReason = "the tier default " + Durations.format(ttl);
        } else if (requested.compareTo(limits.maxTtl()) > 0) {
            ttl = limits.maxTtl();
            ttlReason = Durations.format(ttl) + " (asked " + Durations.format(requested) + ", capped at the tier's max_ttl)";
        } else {
            ttl = requested;
            ttlReason = Durations.format(ttl) + " as asked";
        }
        Optional<ApprovalNeed> need = approvalNeed(tier, request.scopes());
        if (!brokenGlass.isEmpty()) {
            List<ApprovalNeed.GuardedScope> guarded = new ArrayList<>(brokenGlass);
            need.ifPresent(n -> guarded.addAll(n.guarded()));
            int quorum = guarded.stream().mapToInt(ApprovalNeed.GuardedScope::quorum).max().orElseThrow();
            String frozen = String.join("; ", frozenBy);
            return Decision.pending(frozen + "; break-glass needs approval by " + quorum + " distinct "
                    + (quorum == 1 ? "human" : "humans"), ttl, new ApprovalNeed(quorum, guarded, frozen));
        }
        if (need.isPresent()) {
            int quorum = need.get().quorum();
            return Decision.pending("scope" + (need.get().guarded().size() == 1 ? " " : "s ")
                    + need.get().describe() + " in tier " + tier + " need" + (need.get().guarded().size() == 1
                    ? "s" : "") + " approval by " + quorum + " distinct " + (quorum == 1 ? "human" : "humans"),
                    ttl, need.get());
        }
        return Decision.allow("scopes " + Scope.join(request.scopes()) + " granted to agent " + agent.id()
                + " in tier " + tier + " for " + ttlReason, ttl);
    }

    /** The scopes the tier's approval quorums guard, in request order; empty when none is guarded. */
    private Optional<ApprovalNeed> approvalNeed(Tier tier, List<Scope> scopes) {
        Map<String, Integer> quorums = document.approvals().getOrDefault(tier, Map.of());
        List<ApprovalNeed.GuardedScope> guarded = new ArrayList<>();
        for (Scope scope : scopes) {
            String actionClass = document.actionClass(scope.action());
            // A quorum may be written for the class or for the action itself: the stricter applies.
            int quorum = Math.max(quorums.getOrDefault(actionClass, 0), quorums.getOrDefault(scope.action(), 0));
            if (quorum > 0) {
                guarded.add(new ApprovalNeed.GuardedScope(scope, actionClass, quorum));
            }
        }
        return guarded.isEmpty() ? Optional.empty() : Optional.of(new ApprovalNeed(
                guarded.stream().mapToInt(ApprovalNeed.GuardedScope::quorum).max().orElseThrow(), guarded));
    }

    @Override
    public Optional<Instant> nextFreeze(Tier tier, List<Scope> scopes, Instant from, Duration horizon,
            int breakGlassApprovals) {
        Optional<Instant> earliest = Optional.empty();
        for (Freeze freeze : document.freezes()) {
            if (freeze.hasBreakGlass() && breakGlassApprovals >= freeze.breakGlassQuorum()) {
                continue;
            }
            if (scopes.stream().anyMatch(scope -> freeze.covers(tier, scope.action()))) {
                Optional<Instant> start = freeze.nextInForce(from, horizon);
                if (start.isPresent() && (earliest.isEmpty() || start.get().isBefore(earliest.get()))) {
                    earliest = start;
                }
            }
        }
        return earliest;
    }

    @Override
    public List<FreezeInForce> freezesInForce(Instant now) {
        return document.freezes().stream().flatMap(freeze -> freeze.inForceAt(now).stream()).toList();
    }

    /** The patterns granted to the agent directly and through its groups, in that tier. */
    private List<ScopePattern> grantsOf(Subject agent, Tier tier) {
        List<ScopePattern> out = new ArrayList<>();
        String id = agent.id().value();
        out.addAll(document.grants().getOrDefault(id, Map.of()).getOrDefault(tier, List.of()));
        for (Map.Entry<String, Set<String>> group : document.groups().entrySet()) {
            if (group.getValue().contains(id)) {
                out.addAll(document.grants().getOrDefault("group:" + group.getKey(), Map.of())
                        .getOrDefault(tier, List.of()));
            }
        }
        return out;
    }
}
