package dev.stint.broker.approvals;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.FreeText;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.people.Passkey;
import dev.stint.broker.people.PasskeyRows;
import dev.stint.broker.people.PasskeyVerifier;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonRows;
import dev.stint.broker.people.Role;
import dev.stint.broker.people.SignInMethod;
import dev.stint.broker.people.SignedInPerson;
import dev.stint.broker.policy.Policy;
import dev.stint.broker.store.Store;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tasks.TaskEnder;
import dev.stint.broker.tasks.TaskRows;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.broker.tokens.OpaqueTokens;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * People's verdicts on approval requests. Approving takes a fresh, user-verified passkey
 * assertion over a challenge derived from the request's digest and a single-use nonce
 * ({@link #options}); a person signed in by single sign-on without a passkey approves on a
 * sign-in younger than the policy's {@code reauth_within}. Every rule is checked when the
 * verdict is read and again in the unit that records it: approvers only, the agent's owner never
 * approves, nobody gives two verdicts, only a pending request within its window. The quorum counts
 * distinct approvers still active; reaching it activates the task, naming them. One deny ends it.
 */
public final class ApprovalDecisions {

    private final Store store;
    private final AuditLog audit;
    private final PasskeyVerifier verifier;
    private final TaskEnder ender;
    private final Policy policy;
    private final Clock clock;

    public ApprovalDecisions(Store store, AuditLog audit, PasskeyVerifier verifier, TaskEnder ender, Policy policy,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.ender = Objects.requireNonNull(ender, "ender");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The options for {@code navigator.credentials.get}: a challenge bound to this request, for this person's passkeys. */
    public Future<Map<String, Object>> options(SignedInPerson who, String approvalId) {
        Instant now = clock.instant();
        String nonce = OpaqueTokens.randomId();
        return refusedAs(who, "approval.approve", approvalId, store.write(tx -> {
            Approval approval = votable(tx, who.person(), approvalId, Vote.Verdict.APPROVE, now);
            List<Passkey> passkeys = new PasskeyRows(tx).of(who.person().id());
            if (passkeys.isEmpty()) {
                throw new RejectedException(409, ProblemType.PASSKEY_REJECTED, "person " + who.person().id()
                        + " has no passkey; ask an admin for an enrollment link");
            }
            new ChallengeRows(tx).insert(new ApprovalChallenge(nonce, approvalId, who.person().id(),
                    now.plus(ApprovalChallenge.LIFE)), now);
            Map<String, Object> publicKey = new LinkedHashMap<>();
            publicKey.put("challenge", approval.digest().challenge(nonce));
            publicKey.put("rpId", verifier.relyingParty().id());
            publicKey.put("userVerification", "required");
            publicKey.put("timeout", ApprovalChallenge.LIFE.toMillis());
            publicKey.put("allowCredentials", passkeys.stream()
                    .map(p -> Map.of("type", "public-key", "id", p.credentialId())).toList());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ceremony_id", nonce);
            body.put("digest", approval.digest().text());
            body.put("public_key", publicKey);
            return body;
        }));
    }

    /** Records an approval; the request is approved, and its task active, once the quorum is met. */
    public Future<Approval> approve(SignedInPerson who, String approvalId, ApprovalAnswers.Approve body) {
        Instant now = clock.instant();
        String comment;
        try {
            comment = comment(body.comment());
            if (body.credential() == null) {
                return record(who, approvalId, Vote.Verdict.APPROVE, comment, recentSignIn(who, now), null);
            }
        } catch (RejectedException e) {
            return refusedAs(who, "approval.approve", approvalId, Future.failedFuture(e));
        }
        if (body.ceremonyId() == null || body.credential().credentialId() == null) {
            return refusedAs(who, "approval.approve", approvalId, Future.failedFuture(
                    RejectedException.badRequest("ceremony_id and credential are required")));
        }
        return refusedAs(who, "approval.approve", approvalId, store.read(tx -> {
            Approval approval = votable(tx, who.person(), approvalId, Vote.Verdict.APPROVE, now);
            ApprovalChallenge ceremony = new ChallengeRows(tx).find(body.ceremonyId())
                    .filter(c -> c.approvalId().equals(approvalId) && c.personId().equals(who.person().id()))
                    .orElseThrow(() -> RejectedException.badRequest("this approval attempt is not known, was used"
                            + " already or belongs to another request; start again"));
            if (!now.isBefore(ceremony.expiresAt())) {
                throw RejectedException.badRequest("this approval attempt expired; start again");
            }
            Passkey passkey = new PasskeyRows(tx).find(body.credential().credentialId())
                    .filter(p -> p.personId().equals(who.person().id()))
                    .orElseThrow(() -> new RejectedException(400, ProblemType.PASSKEY_REJECTED,
                            "approval rejected: this passkey is not registered to " + who.person().id()));
            return new Spend(approval, ceremony, passkey, 0);
        })).compose(found -> {
            long count;
            try {
                count = verifier.assertion(found.approval().digest().challenge(found.ceremony().nonce()),
                        found.passkey(), body.credential(), "approval");
            } catch (RejectedException rejected) {
                // A wrong answer spends the attempt: each assertion is checked once.
                return refusedAs(who, "approval.approve", approvalId, store.write(tx -> {
                    new ChallengeRows(tx).delete(found.ceremony().nonce());
                    return null;
                }).compose(v -> Future.failedFuture(rejected)));
            }
            String evidence = Json.write(PasskeyEvidence.of(found.approval(), found.ceremony(), found.passkey(),
                    body.credential(), verifier.relyingParty(), count)).toString();
            return record(who, approvalId, Vote.Verdict.APPROVE, comment, evidence,
                    new Spend(found.approval(), found.ceremony(), found.passkey(), count));
        });
    }

    /** Denies the request: its task ends as denied, whatever others approved. */
    public Future<Approval> deny(SignedInPerson who, String approvalId, ApprovalAnswers.Deny body) {
        try {
            return record(who, approvalId, Vote.Verdict.DENY, comment(body.comment()), session(who), null);
        } catch (RejectedException e) {
            return refusedAs(who, "approval.deny", approvalId, Future.failedFuture(e));
        }
    }

    /** A verified passkey answer: its ceremony and passkey are spent by the unit that records the vote. */
    private record Spend(Approval approval, ApprovalChallenge ceremony, Passkey passkey, long signCount) {
    }

    /** The unit that records a verdict, re-checking everything it acts on. */
    private Future<Approval> record(SignedInPerson who, String approvalId, Vote.Verdict verdict, String comment,
            String evidence, Spend spend) {
        String action = "approval." + verdict.wireName();
        return refusedAs(who, action, approvalId, store.write(tx -> {
            Instant at = clock.instant();
            Person person = new PersonRows(tx).find(who.person().id()).orElseThrow(() ->
                    RejectedException.forbidden("person " + who.person().id() + " is not registered"));
            Approval approval = votable(tx, person, approvalId, verdict, at);
            if (spend != null) {
                if (!new ChallengeRows(tx).delete(spend.ceremony().nonce())) {
                    throw RejectedException.badRequest("this approval attempt was used already; start again");
                }
                if (!new PasskeyRows(tx).recordUse(spend.passkey().credentialId(), spend.passkey().signCount(),
                        spend.signCount(), at)) {
                    throw new RejectedException(409, ProblemType.PASSKEY_REJECTED,
                            "this passkey was used by another ceremony at the same moment; approve again");
                }
            }
            if (verdict == Vote.Verdict.APPROVE && spend == null && !new PasskeyRows(tx).of(person.id()).isEmpty()) {
                // A recent sign-in stands in for a passkey only for people who have none.
                throw RejectedException.badRequest(person.id() + " has a passkey: approving takes an assertion with it"
                        + " (POST /v1/approvals/" + approvalId + "/options for its challenge)");
            }
            if (!new VoteRows(tx).insert(new Vote(approvalId, person.id(), verdict, comment, evidence, at))) {
                throw alreadyGave(person, approvalId);
            }
            append(tx, person.actor(), action, AuditEvent.Decision.ALLOW, approval, person.id() + " "
                    + (verdict == Vote.Verdict.APPROVE ? "approved" : "denied")
                    + (approval.breakGlass() ? " break-glass" : "") + " request " + approvalId
                    + " over digest " + approval.digest().text() + (comment == null ? "" : ": \"" + comment + "\""),
                    at);
            return verdict == Vote.Verdict.APPROVE ? tally(tx, approval, at) : denied(tx, approval, person, comment, at);
        }));
    }

    /** Approves the request and activates its task once enough distinct active approvers said yes. */
    private Approval tally(Tx tx, Approval approval, Instant at) throws UnavailableException, RejectedException {
        List<String> approvers = approversOf(tx, approval);
        if (approvers.size() < approval.quorum()) {
            return approval;
        }
        new ApprovalRows(tx).decide(approval.approvalId(), ApprovalStatus.APPROVED, at);
        if (!new TaskRows(tx).activate(approval.agentId(), approval.taskId(), approvers, approval.breakGlass())) {
            throw new RejectedException(409, ProblemType.APPROVAL_CLOSED, "task " + approval.taskId()
                    + " ended while it was being approved");
        }
        append(tx, "system", "approval.granted", AuditEvent.Decision.ALLOW, approval, (approval.breakGlass()
                ? "break-glass " : "") + "request " + approval.approvalId() + " approved by " + String.join(", ", approvers) + " (quorum "
                + approval.quorum() + "); task " + approval.taskId() + " active", at);
        return new ApprovalRows(tx).find(approval.approvalId()).orElseThrow();
    }

    private Approval denied(Tx tx, Approval approval, Person person, String comment, Instant at)
            throws UnavailableException {
        new ApprovalRows(tx).decide(approval.approvalId(), ApprovalStatus.DENIED, at);
        ender.end(tx, approval.agentId(), approval.taskId(), new TaskEnder.Ending(TaskStatus.DENIED, person.actor(),
                "task.deny", "approval " + approval.approvalId() + " denied by " + person.id()
                        + (comment == null ? "" : ": \"" + comment + "\"")), at);
        return new ApprovalRows(tx).find(approval.approvalId()).orElseThrow();
    }

    /**
     * Who approved and still counts: distinct people who are active approvers now and are not
     * the agent's owner (a person disabled, or stripped of the role, after approving no longer counts).
     */
    public static List<String> approversOf(Tx tx, Approval approval) throws UnavailableException {
        List<String> counted = new ArrayList<>();
        for (VoteRows.Cast cast : new VoteRows(tx).withVoters(approval.approvalId())) {
            Optional<Person> person = cast.voter();
            if (cast.vote().verdict() == Vote.Verdict.APPROVE && person.isPresent() && person.get().isActive()
                    && person.get().has(Role.APPROVER) && !owns(person.get(), approval)) {
                counted.add(person.get().id());
            }
        }
        return counted;
    }

    /** The request, if {@code person} may give {@code verdict} on it now. */
    private static Approval votable(Tx tx, Person person, String approvalId, Vote.Verdict verdict, Instant now)
            throws RejectedException, UnavailableException {
        Approval approval = new ApprovalRows(tx).find(approvalId).orElseThrow(() -> RejectedException.notFound(
                ProblemType.APPROVAL_NOT_FOUND, "approval request " + approvalId + " not found"));
        if (!person.isActive()) {
            throw RejectedException.forbidden("person " + person.id() + " is disabled");
        }
        if (!person.has(Role.APPROVER)) {
            throw RejectedException.forbidden("person " + person.id() + " is not an approver");
        }
        ApprovalStatus status = approval.statusAt(now);
        if (status != ApprovalStatus.PENDING) {
            throw new RejectedException(409, ProblemType.APPROVAL_CLOSED, "approval request " + approvalId + " is "
                    + status.wireName() + (status == ApprovalStatus.EXPIRED && approval.decidedAt() == null
                            ? ": its window ended at " + approval.windowEndsAt() : ""));
        }
        if (verdict == Vote.Verdict.APPROVE && Person.ownerEmail(approval.owner()).isEmpty()) {
            throw RejectedException.forbidden("agent " + approval.agentId() + " was registered with an owner that is"
                    + " not an email, so nobody can be shown not to be its owner; register it with its owner's email");
        }
        if (verdict == Vote.Verdict.APPROVE && owns(person, approval)) {
            throw RejectedException.forbidden(person.id() + " owns agent " + approval.agentId()
                    + " and cannot approve its own agent's task; another approver must");
        }
        if (new VoteRows(tx).of(approvalId).stream().anyMatch(v -> v.personId().equals(person.id()))) {
            throw alreadyGave(person, approvalId);
        }
        return approval;
    }

    /** Whether {@code person} is, or may be, the agent's owner: an owner that names no email counts as anyone. */
    private static boolean owns(Person person, Approval approval) {
        return person.mayOwn(approval.owner());
    }

    private static RejectedException alreadyGave(Person person, String approvalId) {
        return new RejectedException(409, ProblemType.APPROVAL_CLOSED, person.id()
                + " has given a verdict on approval request " + approvalId + " already; nobody approves twice");
    }

    /**
     * The evidence of a person approving without a passkey: allowed only to people signed in by
     * single sign-on, within the policy's {@code reauth_within} of signing in.
     */
    private String recentSignIn(SignedInPerson who, Instant now) throws RejectedException {
        if (who.method() != SignInMethod.OIDC) {
            throw RejectedException.badRequest("approving needs a passkey assertion: ask POST /v1/approvals/{id}"
                    + "/options for its challenge");
        }
        java.time.Duration within = policy.document().approvalTiming().reauthWithin();
        if (who.signedInAt().plus(within).isBefore(now)) {
            throw new RejectedException(401, ProblemType.REAUTHENTICATION_REQUIRED, "you signed in at "
                    + who.signedInAt() + ", more than " + within.toMinutes() + " minute(s) ago; sign in again to"
                    + " approve");
        }
        return session(who);
    }

    private static String session(SignedInPerson who) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("method", who.method() == SignInMethod.OIDC ? "oidc_session" : "passkey_session");
        evidence.put("person_id", who.person().id());
        evidence.put("signed_in_at", who.signedInAt().toString());
        return Json.write(evidence).toString();
    }

    private static String comment(String comment) throws RejectedException {
        // A comment box has several lines; the audit log's reason has one.
        return comment == null || comment.isBlank() ? null
                : FreeText.require(comment.replaceAll("\\R+", " "), "comment", ApprovalAnswers.MAX_COMMENT);
    }

    /** Records a refusal of a signed-in person's verdict as theirs, then fails with it. */
    private <T> Future<T> refusedAs(SignedInPerson who, String action, String approvalId, Future<T> work) {
        return work.recover(failure -> failure instanceof RejectedException rejected
                ? audit.reject(new AuditEvent(who.person().actor(), action, AuditEvent.Decision.DENY, null, null,
                        null, "", "request " + approvalId + ": " + rejected.reason(), null), rejected)
                : Future.failedFuture(failure));
    }

    private static void append(Tx tx, String actor, String action, AuditEvent.Decision decision, Approval approval,
            String reason, Instant at) throws UnavailableException {
        new AuditRows(tx).append(new AuditEvent(actor, action, decision, approval.agentId().value(),
                approval.taskId().value(), approval.tier().name(), dev.stint.token.Scope.join(approval.scopes()),
                reason, null), at);
    }
}
