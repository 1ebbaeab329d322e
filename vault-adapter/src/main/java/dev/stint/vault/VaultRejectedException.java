package dev.stint.vault;

import java.util.Objects;

/**
 * Vault said no to this request, or the request was refused before it was sent: a role name or
 * lease id that is not one, permission denied (403), an unknown role or mount (400/404). Sending
 * the same request again will not help.
 *
 * <p>The message is a reason for the audit log ({@code "<what> rejected: <why>"}). It names the
 * connection's address and mount and never a token or a password: Vault's own error text is
 * cleaned and cut short first, and no driver exception is ever attached as cause
 * (the driver repeats Vault's whole answer in its messages).
 */
public final class VaultRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    VaultRejectedException(String reason) {
        super(Objects.requireNonNull(reason, "reason"), null, false, true);
    }

    /** The reason as written to the audit log; the same text as {@link #getMessage()}. */
    public String reason() {
        return getMessage();
    }
}
