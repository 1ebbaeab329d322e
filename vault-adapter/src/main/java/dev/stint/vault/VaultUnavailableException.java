package dev.stint.vault;

import java.util.Objects;
import java.util.Optional;

/**
 * The work could not be done: Vault is sealed (503), rate limited (429), failing (5xx), too slow,
 * unreachable, or it answered something that is not its documented JSON. Retrying later, with
 * backoff, may succeed; the broker answers 503 and never falls back to anything.
 *
 * <p>When {@link VaultDatabaseEngine#issue} had already obtained a lease it could not hand out
 * (too long for the deadline, or a malformed answer), it revokes that lease before throwing; if
 * that revocation failed too, {@link #leaseLeftBehind()} names the lease so that the caller keeps
 * retrying its revocation.
 *
 * <p>The message names the connection's address and mount and never a token or a password, for
 * the same reasons as {@link VaultRejectedException}.
 */
public final class VaultUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String leaseLeftBehind;

    VaultUnavailableException(String reason) {
        this(reason, null);
    }

    VaultUnavailableException(String reason, String leaseLeftBehind) {
        super(Objects.requireNonNull(reason, "reason"), null, false, true);
        this.leaseLeftBehind = leaseLeftBehind;
    }

    /** The reason as written to the audit log; the same text as {@link #getMessage()}. */
    public String reason() {
        return getMessage();
    }

    /**
     * A lease this failed call obtained and could not revoke, which therefore lives until Vault
     * expires it; empty when no lease was left behind.
     */
    public Optional<String> leaseLeftBehind() {
        return Optional.ofNullable(leaseLeftBehind);
    }
}
