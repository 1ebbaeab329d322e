package dev.stint.broker.credentials;

import dev.stint.broker.deployment.VaultBackend;
import dev.stint.broker.pgroles.PostgresRoles;
import dev.stint.broker.pgroles.PostgresUnavailableException;
import dev.stint.vault.IssuedCredentials;
import dev.stint.vault.VaultConnection;
import dev.stint.vault.VaultDatabaseEngine;
import dev.stint.vault.VaultRejectedException;
import dev.stint.vault.VaultUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Vault (or OpenBao) database secrets engine as a credential backend: one client, one token,
 * one tier. Vault chooses the username; the lease is Vault's own and is revoked through it.
 */
public final class VaultCredentialBackend implements CredentialBackend, AutoCloseable {

    /** How long one call to Vault may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String connection;
    private final VaultDatabaseEngine engine;
    private final Optional<Endpoint> endpoint;
    private final Optional<PostgresRoles> sessions;
    private final Clock clock;

    /**
     * @param endpoint where its logins connect (the {@code sessions} connection's database), if known
     * @param sessions the {@code sessions} connection, which ends the sessions of the users Vault
     *     issued once Vault dropped them (its PostgreSQL plugin never does) and checks they are gone
     */
    public VaultCredentialBackend(VaultBackend backend, Optional<Endpoint> endpoint, Optional<PostgresRoles> sessions,
            Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.connection = backend.name();
        this.engine = new VaultDatabaseEngine(new VaultConnection(backend.address(), backend.namespace(),
                backend.mount(), backend.token(), TIMEOUT));
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public Optional<Endpoint> endpoint() {
        return endpoint;
    }

    @Override
    public IssuedLogin issue(Lease lease, LoginRequest request, Instant until) throws BackendException {
        if (!(request instanceof LoginRequest.Vault vault)) {
            throw BackendException.rejected(connection + " is a Vault connection; role " + lease.role()
                    + " asks for another kind of login");
        }
        try {
            IssuedCredentials issued = engine.issue(vault.vaultRole(), until, clock);
            return new IssuedLogin(issued.username(), issued.password(), issued.leaseId(), issued.expiresAt());
        } catch (VaultRejectedException e) {
            throw BackendException.rejected(e.reason());
        } catch (VaultUnavailableException e) {
            throw BackendException.unavailable(e.reason(), e.leaseLeftBehind().orElse(null));
        }
    }

    @Override
    public void revoke(Lease lease) throws BackendException {
        if (lease.backendLeaseId() == null) {
            // Vault never answered with a lease: it made nothing this broker could name. Should it
            // have made a login whose answer was lost, Vault's own lease expiry ends it.
            return;
        }
        try {
            // The oid first: once Vault dropped the role, its sessions show no user name.
            Optional<Long> oid = sessions.isPresent() && lease.username() != null
                    ? sessions.get().oidOf(lease.username()) : Optional.empty();
            engine.revoke(lease.backendLeaseId());
            if (oid.isPresent()) {
                sessions.get().endSessionsAndVerifyGone(lease.username(), oid.get());
            }
        } catch (VaultRejectedException e) {
            throw BackendException.rejected(e.reason());
        } catch (VaultUnavailableException e) {
            throw BackendException.unavailable(e.reason());
        } catch (PostgresUnavailableException e) {
            throw BackendException.unavailable(e.reason());
        } catch (IllegalArgumentException e) {
            throw BackendException.rejected("Vault named a database user Stint cannot look up: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
