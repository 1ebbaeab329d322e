package dev.stint.broker.credentials;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stint.broker.deployment.PostgresBackend;
import dev.stint.broker.pgroles.CreatedLogin;
import dev.stint.broker.pgroles.Grants;
import dev.stint.broker.pgroles.GroupRole;
import dev.stint.broker.pgroles.PostgresRoles;
import dev.stint.broker.pgroles.PostgresUnavailableException;
import dev.stint.broker.pgroles.ReapReport;
import dev.stint.broker.pgroles.RoleReaper;
import dev.stint.broker.pgroles.RoleComment;
import dev.stint.broker.pgroles.RoleName;
import dev.stint.token.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A database of the built-in PostgreSQL provider as a credential backend: the broker makes each
 * task's login itself, as the deployment's admin user, through a small pool of its own.
 */
public final class PostgresCredentialBackend implements CredentialBackend, AutoCloseable {

    private final String connection;
    private final String broker;
    private final Endpoint endpoint;
    private final HikariDataSource pool;
    private final PostgresRoles roles;
    private final RoleReaper reaper;

    /** @param broker who makes the logins, for their comment (the issuer) */
    public PostgresCredentialBackend(PostgresBackend backend, String broker) {
        this.connection = backend.name();
        this.broker = Objects.requireNonNull(broker, "broker");
        this.endpoint = new Endpoint(backend.host(), backend.port(), backend.database());
        HikariConfig config = new HikariConfig();
        config.setPoolName("stint-backend-" + backend.name());
        config.setJdbcUrl(backend.jdbcUrl());
        Properties properties = new Properties();
        // Bounded waits: a database that stops answering must not hold a worker for minutes.
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "stint-broker");
        properties.putAll(backend.jdbcProperties());
        config.setDataSourceProperties(properties);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(5_000);
        // The broker starts, and answers 503 for this connection, while its database is down.
        config.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(config);
        this.roles = new PostgresRoles(connection + " (" + backend.host() + ":" + backend.port() + "/"
                + backend.database() + ")", pool::getConnection);
        this.reaper = new RoleReaper(roles);
    }

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public Optional<Endpoint> endpoint() {
        return Optional.of(endpoint);
    }

    @Override
    public String plannedUsername(Tier tier) {
        return RoleName.generate(tier).value();
    }

    @Override
    public IssuedLogin issue(Lease lease, LoginRequest request, Instant until) throws BackendException {
        if (!(request instanceof LoginRequest.Postgres postgres)) {
            throw BackendException.rejected(connection + " is a PostgreSQL connection; role " + lease.role()
                    + " asks for another kind of login");
        }
        Grants grants;
        List<GroupRole> groups;
        RoleName name;
        try {
            grants = Grants.parse(postgres.grants());
            groups = postgres.inRoles().stream().map(GroupRole::parse).toList();
            name = new RoleName(lease.username());
        } catch (IllegalArgumentException e) {
            throw BackendException.rejected("role " + lease.role() + " cannot be issued on " + connection + ": "
                    + e.getMessage());
        }
        try {
            CreatedLogin login = roles.create(name, grants, groups,
                    new RoleComment(lease.taskId(), lease.tier(), until, broker));
            return new IssuedLogin(login.username(), login.password(), null, until);
        } catch (PostgresUnavailableException e) {
            throw e.kind() == PostgresUnavailableException.Kind.MISCONFIGURED
                    ? BackendException.rejected(e.reason())
                    : BackendException.unavailable(e.reason());
        }
    }

    @Override
    public void revoke(Lease lease) throws BackendException {
        if (lease.username() == null) {
            return;
        }
        try {
            roles.revoke(lease.username());
        } catch (PostgresUnavailableException e) {
            throw BackendException.unavailable(e.reason());
        } catch (IllegalArgumentException e) {
            throw BackendException.rejected("lease " + lease.leaseId() + " names no login of Stint's: "
                    + e.getMessage());
        }
    }

    /** The provider on this connection, for a Vault connection whose {@code sessions} it is. */
    PostgresRoles roles() {
        return roles;
    }

    /**
     * Ends the sessions and drops the roles of this database's Stint logins whose deadline has
     * passed, from the catalog alone (the broker's sweep and {@code stint reap} alike).
     */
    public ReapReport reap(Instant now) throws BackendException {
        try {
            return reaper.reap(now);
        } catch (PostgresUnavailableException e) {
            throw BackendException.unavailable(e.reason());
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
