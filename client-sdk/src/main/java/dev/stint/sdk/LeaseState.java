package dev.stint.sdk;

import java.util.Locale;
import java.util.Optional;

/** Where a database lease stands, as the broker reports it. Only {@link #ACTIVE} logins work. */
public enum LeaseState {
    /** Recorded; the backend has not yet confirmed the login. */
    PENDING,
    /** The login exists and works until its expiry or its task's end. */
    ACTIVE,
    /** Due for revocation (its task ended); the broker keeps trying until the backend confirms. */
    REVOKING,
    /** The last revocation attempt failed; the broker retries, and the login may still work. */
    FAILED,
    /** The backend confirmed the login is gone. Final. */
    REVOKED;

    /** The name used on the wire, e.g. {@code revoking}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; empty for anything unknown. */
    public static Optional<LeaseState> fromWire(String name) {
        for (LeaseState state : values()) {
            if (state.wireName().equals(name)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
