package dev.stint.broker.ui;

import dev.stint.broker.people.SignInMethod;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.people.Person;
import dev.stint.broker.people.PersonRows;
import dev.stint.broker.people.SessionOpener;
import dev.stint.broker.store.Store;
import dev.stint.broker.tokens.OpaqueTokens;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Signed-in browsers: a random secret in an HttpOnly cookie, stored only as its hash, so a
 * session can be ended at once (sign-out, a disabled person). A session dies after
 * {@link #idle} without a request, and after {@link #ABSOLUTE} whatever the activity; a disabled
 * person's sessions are dead.
 */
final class Sessions {

    static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    /** A session's last use is written at most this often: every page view need not be a write. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    static final String PREFIX = "stint_ui_";

    /**
     * A live session and its person.
     *
     * @param signedInAt when and {@code method} how they signed in (for re-authentication rules)
     */
    record SignedIn(String secret, Person person, SignInMethod method, Instant signedInAt) {
    }

    private final Store store;
    private final Duration idle;
    private final Clock clock;

    Sessions(Store store, Duration idle, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.idle = Objects.requireNonNull(idle, "idle");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Opens a session, signed in by {@code method}, inside the unit that records the sign-in;
     * answers the cookie's secret.
     */
    SessionOpener<String> opener(SignInMethod method) {
        return (tx, person, now) -> {
            String secret = OpaqueTokens.generate(PREFIX);
            new SessionRows(tx).insert(new PersonSession(OpaqueTokens.hash(secret), person.id(), now, now,
                    now.plus(ABSOLUTE), method), now);
            return secret;
        };
    }

    /**
     * The live session the cookie {@code secret} names.
     *
     * @return empty when there is none: unknown, idle too long, past its end, or its person disabled
     *     (a dead session's row is deleted)
     */
    Future<Optional<SignedIn>> current(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Future.succeededFuture(Optional.empty());
        }
        String hash = OpaqueTokens.hash(secret);
        Instant now = clock.instant();
        record Found(PersonSession session, Person person) {
        }
        return store.read(tx -> {
            Optional<PersonSession> session = new SessionRows(tx).find(hash);
            if (session.isEmpty()) {
                return Optional.<Found>empty();
            }
            return Optional.of(new Found(session.get(), new PersonRows(tx).find(session.get().personId())
                    .orElseThrow()));
        }).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            PersonSession session = found.get().session();
            Person person = found.get().person();
            if (!session.aliveAt(now, idle) || !person.isActive()) {
                return store.write(tx -> {
                    new SessionRows(tx).delete(hash);
                    return Optional.<SignedIn>empty();
                });
            }
            Optional<SignedIn> live = Optional.of(new SignedIn(secret, person, session.method(),
                    session.createdAt()));
            if (session.lastSeenAt().plus(TOUCH_EVERY).isAfter(now)) {
                return Future.succeededFuture(live);
            }
            return store.write(tx -> {
                new SessionRows(tx).touch(hash, now);
                return live;
            });
        });
    }

    /** Ends the session (sign-out), recorded as the person's. Nothing to do for a dead one. */
    Future<Void> end(SignedIn signedIn) {
        Instant now = clock.instant();
        return store.write(tx -> {
            new SessionRows(tx).delete(OpaqueTokens.hash(signedIn.secret()));
            new AuditRows(tx).append(new AuditEvent(signedIn.person().actor(), "person.sign_out",
                    AuditEvent.Decision.ALLOW, null, null, null, "", signedIn.person().id() + " signed out"), now);
            return null;
        });
    }
}
