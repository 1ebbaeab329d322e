package dev.stint.broker.credentials;

import java.util.Arrays;

/**
 * Where a lease stands. A lease is {@code pending} from the moment its intent is recorded until
 * the backend confirmed the login; {@code revoking} once its task ended (or the issue failed
 * half-way), {@code failed} while revocation keeps failing (it is retried, never given up),
 * {@code revoked} once the backend confirmed the login gone.
 */
public enum LeaseState {
    PENDING("pending"),
    ACTIVE("active"),
    REVOKING("revoking"),
    FAILED("failed"),
    REVOKED("revoked");

    private final String wireName;

    LeaseState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether the login may still exist in the backend (anything but revoked). */
    public boolean mayExist() {
        return this != REVOKED;
    }

    /** Whether revocation is owed: the lease is being revoked or its last revocation failed. */
    public boolean owesRevocation() {
        return this == REVOKING || this == FAILED;
    }

    public static LeaseState fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown lease state " + name));
    }
}
