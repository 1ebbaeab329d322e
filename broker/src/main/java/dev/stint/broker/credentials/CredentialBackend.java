package dev.stint.broker.credentials;

/**
 * One backend connection (a PostgreSQL database of the built-in provider, or a Vault database
 * secrets engine) as the credentials feature sees it when revoking. Calls are blocking network
 * calls: they run on worker threads, never on an event loop and never inside a store unit.
 */
public interface CredentialBackend {

    /** The connection's name in the deployment file. */
    String connection();

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

        private BackendException(String reason, boolean rejected) {
            super(reason);
            this.rejected = rejected;
        }

        /** The backend is down, slow or answered garbage: worth trying again. */
        public static BackendException unavailable(String reason) {
            return new BackendException(reason, false);
        }

        /** The backend refused this request as such (bad role, no permission): trying again will not help. */
        public static BackendException rejected(String reason) {
            return new BackendException(reason, true);
        }

        public boolean isRejected() {
            return rejected;
        }

        public String reason() {
            return getMessage();
        }
    }
}
