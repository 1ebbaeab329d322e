package dev.stint.broker.credentials;

/**
 * One backend connection (a PostgreSQL database of the built-in provider, or a Vault database
 * secrets engine) as the credentials feature sees it. Calls are blocking network calls: they run
 * on worker threads, never on an event loop and never inside a store unit.
 */
public interface CredentialBackend {

    /** The connection's name in the deployment file. */
    String connection();

    /** Where clients connect to the database, when this connection knows it. */
    default java.util.Optional<Endpoint> endpoint() {
        return java.util.Optional.empty();
    }

    /**
     * The login's name, chosen before the backend is asked so that the lease's intent records it
     * (and a crash in between leaves a name to clean up); {@code null} where the backend chooses.
     */
    default String plannedUsername(dev.stint.token.Tier tier) {
        return null;
    }

    /**
     * Makes the lease's login, valid until {@code until} at the latest.
     *
     * @param request what the policy grants the login, for this backend's kind
     * @throws BackendException when it could not be made; nothing is left behind that the lease's
     *     revocation would not remove
     */
    IssuedLogin issue(Lease lease, LoginRequest request, java.time.Instant until) throws BackendException;

    /** Where to connect. */
    record Endpoint(String host, int port, String database) {
    }

    /**
     * A login the backend made: its password is handed on once and never stored.
     *
     * @param backendLeaseId the backend's own lease id (Vault's), or {@code null}
     * @param expiresAt when the backend ends the login, never after the task's deadline
     */
    record IssuedLogin(String username, String password, String backendLeaseId, java.time.Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedLogin[username=" + username + ", password=(hidden), backendLeaseId=" + backendLeaseId
                    + ", expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * Removes the lease's login and verifies it is gone (no role, no session left). Idempotent: a
     * login already gone, or never made, is done.
     *
     * @throws BackendException when it could not be done or not be verified; the lease stays owed
     */
    void revoke(Lease lease) throws BackendException;

    /** A backend could not do what was asked. The reason names the connection, never a secret. */
    final class BackendException extends Exception {

        private static final long serialVersionUID = 1L;
        private final boolean rejected;
        private final String leftBehind;

        private BackendException(String reason, boolean rejected, String leftBehind) {
            super(reason);
            this.rejected = rejected;
            this.leftBehind = leftBehind;
        }

        /** The backend is down, slow or answered garbage: worth trying again. */
        public static BackendException unavailable(String reason) {
            return new BackendException(reason, false, null);
        }

        /**
         * Like {@link #unavailable(String)}, when the backend made a login it could not take back:
         * {@code leftBehind} is the backend's lease id, which the lease records so that its
         * revocation removes it.
         */
        public static BackendException unavailable(String reason, String leftBehind) {
            return new BackendException(reason, false, leftBehind);
        }

        /** The backend refused this request as such (bad role, no permission): trying again will not help. */
        public static BackendException rejected(String reason) {
            return new BackendException(reason, true, null);
        }

        /** The backend's lease id of a login left behind by a failed issue, if any. */
        public java.util.Optional<String> leftBehind() {
            return java.util.Optional.ofNullable(leftBehind);
        }

        public boolean isRejected() {
            return rejected;
        }

        public String reason() {
            return getMessage();
        }
    }
}
