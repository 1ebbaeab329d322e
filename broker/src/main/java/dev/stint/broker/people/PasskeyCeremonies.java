package dev.stint.broker.people;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditLog;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Store;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tokens.OpaqueTokens;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The two WebAuthn ceremonies of people: registering a passkey from an enrollment link, and
 * signing in with one. Each starts with a server-chosen challenge stored as a {@link Ceremony},
 * spent by the first answer whether it verifies or not. Answers are verified outside the store's
 * writer; the unit that records the outcome re-checks everything it acts on.
 *
 * <p>Refusals of someone not yet known (a link that is not valid, a passkey not registered) are
 * counted with the unauthenticated refusals; a known person's failure is recorded as
 * {@code person:<id>} before it is answered.
 */
public final class PasskeyCeremonies {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long TIMEOUT_MS = Ceremony.LIFE.toMillis();

    private final Store store;
    private final AuditLog audit;
    private final PasskeyVerifier verifier;
    private final Clock clock;

    public PasskeyCeremonies(Store store, AuditLog audit, PasskeyVerifier verifier, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The options for {@code navigator.credentials.create}, and who the link is for. */
    public Future<Map<String, Object>> startEnrollment(WebAuthnAnswers.EnrollmentStart body) {
        Instant now = clock.instant();
        return anonymous("person.passkey_enroll", linkHash(body.token()).compose(hash -> store.write(tx -> {
            Person person = usableLink(tx, hash, now);
            List<Passkey> existing = new PasskeyRows(tx).of(person.id());
            String handle = existing.isEmpty() ? random(32) : existing.get(0).userHandle();
            Ceremony ceremony = new Ceremony(OpaqueTokens.randomId(), Ceremony.Kind.ENROLL, random(32), hash,
                    person.id(), handle, now.plus(Ceremony.LIFE));
            new CeremonyRows(tx).insert(ceremony, now);
            return CeremonyOptions.creation(ceremony, person, existing, verifier.relyingParty(), TIMEOUT_MS);
        })));
    }

    /** Registers the passkey; the link is spent. */
    public Future<Person> finishEnrollment(WebAuthnAnswers.EnrollmentFinish body) {
        Instant now = clock.instant();
        if (body.credential() == null || body.ceremonyId() == null) {
            return Future.failedFuture(RejectedException.badRequest("ceremony_id and credential are required"));
        }
        return anonymous("person.passkey_enroll", linkHash(body.token()).compose(hash -> store.read(tx -> {
            Ceremony ceremony = ceremony(tx, body.ceremonyId(), Ceremony.Kind.ENROLL, now);
            if (!hash.equals(ceremony.enrollmentHash())) {
                throw RejectedException.badRequest("this registration attempt belongs to another enrollment link");
            }
            return new Attempted(ceremony, usableLink(tx, hash, now));
        }))).compose(attempt -> verified(attempt, () -> verifier.register(attempt.ceremony(), body.credential(), now),
                "person.passkey_enroll", now)
                .compose(passkey -> store.write(tx -> {
                    spend(tx, attempt.ceremony());
                    Person person = usableLink(tx, attempt.ceremony().enrollmentHash(), now);
                    new EnrollmentRows(tx).markUsed(attempt.ceremony().enrollmentHash(), now);
                    if (!new PasskeyRows(tx).insert(passkey)) {
                        throw new RejectedException(409, ProblemType.PASSKEY_REJECTED,
                                "this passkey is registered already");
                    }
                    record(tx, person.actor(), "person.passkey_enroll", AuditEvent.Decision.ALLOW,
                            "passkey " + abbreviated(passkey.credentialId()) + " registered for " + person.id(), now);
                    return person;
                })));
    }

    /** The options for {@code navigator.credentials.get}: any passkey of this site, user verified. */
    public Future<Map<String, Object>> startSignIn() {
        Instant now = clock.instant();
        Ceremony ceremony = new Ceremony(OpaqueTokens.randomId(), Ceremony.Kind.SIGN_IN, random(32), null, null,
                null, now.plus(Ceremony.LIFE));
        return store.write(tx -> {
            new CeremonyRows(tx).insert(ceremony, now);
            return CeremonyOptions.request(ceremony, verifier.relyingParty(), TIMEOUT_MS);
        });
    }

    /** Signs the person in: their passkey's counter moves and {@code opener} opens their session. */
    public <T> Future<T> finishSignIn(WebAuthnAnswers.SignInFinish body, SessionOpener<T> opener) {
        Instant now = clock.instant();
        if (body.credential() == null || body.ceremonyId() == null || body.credential().credentialId() == null) {
            return Future.failedFuture(RejectedException.badRequest("ceremony_id and credential are required"));
        }
        record Found(Ceremony ceremony, Passkey passkey, Person person) {
        }
        return anonymous("person.sign_in", store.read(tx -> {
            Ceremony ceremony = ceremony(tx, body.ceremonyId(), Ceremony.Kind.SIGN_IN, now);
            Passkey passkey = new PasskeyRows(tx).find(body.credential().credentialId()).orElseThrow(() ->
                    RejectedException.unauthorized("this passkey is not registered here; ask an admin for an"
                            + " enrollment link"));
            return new Found(ceremony, passkey, new PersonRows(tx).find(passkey.personId()).orElseThrow());
        })).compose(found -> {
            if (!found.person().isActive()) {
                return failed(found.ceremony(), found.person(), "person.sign_in",
                        RejectedException.forbidden("person " + found.person().id() + " is disabled"), now);
            }
            return verified(new Attempted(found.ceremony(), found.person()), () -> verifier.authenticate(
                    found.ceremony(), found.passkey(), body.credential()), "person.sign_in", now)
                    .compose(count -> store.write(tx -> {
                        spend(tx, found.ceremony());
                        Person person = new PersonRows(tx).find(found.person().id()).orElseThrow();
                        if (!person.isActive()) {
                            throw RejectedException.forbidden("person " + person.id() + " is disabled");
                        }
                        if (!new PasskeyRows(tx).recordUse(found.passkey().credentialId(),
                                found.passkey().signCount(), count, now)) {
                            throw new RejectedException(409, ProblemType.PASSKEY_REJECTED,
                                    "this passkey was used by another sign-in at the same moment; sign in again");
                        }
                        T session = opener.open(tx, person, now);
                        record(tx, person.actor(), "person.sign_in", AuditEvent.Decision.ALLOW, person.id()
                                + " signed in with passkey " + abbreviated(found.passkey().credentialId()), now);
                        return session;
                    }));
        });
    }

    /** A ceremony being answered, and the person the answer is for. */
    private record Attempted(Ceremony ceremony, Person person) {
    }

    /** A check run outside the store; its rejection spends the ceremony and is recorded as the person's. */
    private <T> Future<T> verified(Attempted attempt, Check<T> check, String action, Instant now) {
        try {
            return Future.succeededFuture(check.get());
        } catch (RejectedException rejected) {
            return failed(attempt.ceremony(), attempt.person(), action, rejected, now);
        }
    }

    /** Spends the ceremony, records the refusal (as the person's when known), then fails with it. */
    private <T> Future<T> failed(Ceremony ceremony, Person person, String action, RejectedException rejected,
            Instant now) {
        return store.write(tx -> {
            new CeremonyRows(tx).delete(ceremony.id());
            if (person != null) {
                record(tx, person.actor(), action, AuditEvent.Decision.DENY, rejected.reason(), now);
            }
            return person != null;
        }).compose(known -> known ? Future.failedFuture(rejected)
                : audit.countUnauthenticated(event("anonymous", action, AuditEvent.Decision.DENY, rejected.reason()),
                        rejected));
    }

    /** Refusals before anyone is known are counted, not written one record each. */
    private <T> Future<T> anonymous(String action, Future<T> work) {
        return work.recover(failure -> failure instanceof RejectedException rejected
                ? audit.countUnauthenticated(event("anonymous", action, AuditEvent.Decision.DENY, rejected.reason()),
                        rejected)
                : Future.failedFuture(failure));
    }

    @FunctionalInterface
    private interface Check<T> {
        T get() throws RejectedException;
    }

    private static Future<String> linkHash(String token) {
        if (token == null || !token.startsWith(EnrollmentLink.PREFIX) || token.length() > 100) {
            return Future.failedFuture(RejectedException.notFound(ProblemType.ENROLLMENT_LINK_INVALID,
                    "this enrollment link is not valid; check that it was copied whole"));
        }
        return Future.succeededFuture(OpaqueTokens.hash(token));
    }

    /** The person of a link that can be used now. */
    private static Person usableLink(Tx tx, String hash, Instant now) throws RejectedException, UnavailableException {
        Enrollment enrollment = new EnrollmentRows(tx).byHash(hash).orElseThrow(() -> RejectedException.notFound(
                ProblemType.ENROLLMENT_LINK_INVALID, "this enrollment link is not valid; check that it was copied"
                        + " whole"));
        java.util.Optional<String> unusable = enrollment.unusableBecause(now);
        if (unusable.isPresent()) {
            throw new RejectedException(410, ProblemType.ENROLLMENT_LINK_INVALID, unusable.get());
        }
        Person person = new PersonRows(tx).find(enrollment.personId()).orElseThrow();
        if (!person.isActive()) {
            throw new RejectedException(410, ProblemType.ENROLLMENT_LINK_INVALID, "person " + person.id()
                    + " is disabled; this enrollment link no longer works");
        }
        return person;
    }

    private static Ceremony ceremony(Tx tx, String id, Ceremony.Kind kind, Instant now)
            throws RejectedException, UnavailableException {
        Ceremony ceremony = new CeremonyRows(tx).find(id).filter(c -> c.kind() == kind).orElseThrow(() ->
                RejectedException.badRequest("this passkey attempt is not known or was used already; start again"));
        if (!now.isBefore(ceremony.expiresAt())) {
            throw RejectedException.badRequest("this passkey attempt expired; start again");
        }
        return ceremony;
    }

    private static void spend(Tx tx, Ceremony ceremony) throws RejectedException, UnavailableException {
        if (!new CeremonyRows(tx).delete(ceremony.id())) {
            throw RejectedException.badRequest("this passkey attempt is not known or was used already; start again");
        }
    }

    private static void record(Tx tx, String actor, String action, AuditEvent.Decision decision, String reason,
            Instant now) throws UnavailableException {
        new AuditRows(tx).append(event(actor, action, decision, reason), now);
    }

    private static AuditEvent event(String actor, String action, AuditEvent.Decision decision, String reason) {
        return new AuditEvent(actor, action, decision, null, null, null, "", reason);
    }

    /** Enough of a credential id to tell passkeys apart in a record. */
    private static String abbreviated(String credentialId) {
        return credentialId.length() <= 12 ? credentialId : credentialId.substring(0, 12) + "…";
    }

    static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return PasskeyVerifier.base64(value);
    }
}
