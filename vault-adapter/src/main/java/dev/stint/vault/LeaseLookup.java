package dev.stint.vault;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** What Vault knows of one lease: it is valid until a time, or Vault does not know it (revoked, expired or never issued). */
public sealed interface LeaseLookup permits LeaseLookup.Valid, LeaseLookup.Invalid {

    /**
     * Vault still holds the lease, so the database login still exists.
     *
     * @param expireTime when Vault will revoke it, by Vault's clock
     * @param ttl        the time left as Vault counted it when it answered
     */
    record Valid(Instant expireTime, Duration ttl) implements LeaseLookup {
        public Valid {
            Objects.requireNonNull(expireTime, "expireTime");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    /** Vault answered {@code 400 {"errors":["invalid lease"]}}: it no longer knows the lease. */
    record Invalid() implements LeaseLookup {
    }
}
