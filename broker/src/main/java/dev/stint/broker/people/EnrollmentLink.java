package dev.stint.broker.people;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.broker.tokens.OpaqueTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A new one-time link for a person to register a passkey: the secret is answered once, in the
 * URL, and stored only as its SHA-256.
 */
public record EnrollmentLink(String url, Instant expiresAt) {

    /** How long a link works: a day, enough to reach the person and short enough to go stale. */
    public static final Duration LIFE = Duration.ofHours(24);
    static final String PREFIX = "stint_enroll_";

    public EnrollmentLink {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Stores a new link for {@code personId} in the unit of {@code tx}. */
    static EnrollmentLink issue(Tx tx, String personId, RelyingParty rp, Instant now) throws UnavailableException {
        String secret = OpaqueTokens.generate(PREFIX);
        Instant expires = now.plus(LIFE);
        new EnrollmentRows(tx).insert(new Enrollment(OpaqueTokens.hash(secret), personId, now, expires, null));
        return new EnrollmentLink(rp.enrollmentUrl(secret), expires);
    }
}
