package dev.stint.broker.ui;

import dev.stint.broker.people.SignInMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed-in browser, as stored: the hash of its cookie's secret, never the secret.
 *
 * @param createdAt when its person signed in (a session is never renewed: each sign-in makes a new one)
 * @param expiresAt the absolute end, whatever the activity
 * @param method how its person signed in
 */
record PersonSession(String hash, String personId, Instant createdAt, Instant lastSeenAt, Instant expiresAt,
        SignInMethod method) {

    PersonSession {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastSeenAt, "lastSeenAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(method, "method");
    }

    /** Whether it is still alive at {@code now}: used within {@code idle}, and before its absolute end. */
    boolean aliveAt(Instant now, Duration idle) {
        return now.isBefore(expiresAt) && now.isBefore(lastSeenAt.plus(idle));
    }
}
