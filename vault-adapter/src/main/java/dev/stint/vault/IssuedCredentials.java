package dev.stint.vault;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One database login issued by Vault under one lease. {@link #toString()} never shows the
 * password.
 *
 * @param username      the database user Vault created
 * @param password      its password; never printed
 * @param leaseId       the Vault lease that the login lives and dies with
 * @param leaseDuration the lease's time to live as Vault granted it (after any renewal)
 * @param expiresAt     when the lease ends by the broker's clock; never after the deadline asked for
 */
public record IssuedCredentials(String username, String password, String leaseId, Duration leaseDuration,
        Instant expiresAt) {

    public IssuedCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(leaseId, "leaseId");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "IssuedCredentials[username=" + username + ", password=(hidden), leaseId=" + leaseId
                + ", leaseDuration=" + leaseDuration + ", expiresAt=" + expiresAt + "]";
    }
}
