package dev.stint.broker.deployment;

import dev.stint.token.Tier;
import java.util.Objects;
import java.util.Properties;

/**
 * A database where the built-in provider creates short-lived logins, connecting as an admin role
 * that has {@code CREATEROLE} and may grant what the roles of the policy need. Values are checked
 * as for the store ({@link PostgresSettings}); {@link #toString()} leaves the password out.
 *
 * @param name the connection's name, see {@link ConnectionCatalog#isName}
 * @param tier the one tier it serves
 * @param host a host name, IPv4 or IPv6 address (without brackets)
 * @param port 1-65535
 * @param database 1-63 characters, no control characters
 * @param adminUser the role the broker connects as, 1-63 characters, no control characters
 * @param adminPassword its password: not empty, no NUL; never printed
 * @param sslMode pgjdbc's {@code sslmode}
 */
public record PostgresBackend(String name, Tier tier, String host, int port, String database, String adminUser,
        String adminPassword, SslMode sslMode) implements Backend {

    public PostgresBackend {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminPassword, "adminPassword");
        Objects.requireNonNull(sslMode, "sslMode");
        ConnectionCatalog.requireName(name);
        PostgresJdbc.requireConnection(host, port, database, adminUser, adminPassword);
    }

    @Override
    public BackendProvider provider() {
        return BackendProvider.POSTGRES;
    }

    /** {@code jdbc:postgresql://HOST:PORT/DATABASE}, built as the store's URL is. */
    public String jdbcUrl() {
        return PostgresJdbc.url(host, port, database);
    }

    /** {@code user} (the admin role), {@code password} and {@code sslmode}; holds the password, do not log it. */
    public Properties jdbcProperties() {
        return PostgresJdbc.properties(adminUser, adminPassword, sslMode);
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "PostgresBackend[name=" + name + ", tier=" + tier + ", host=" + host + ", port=" + port
                + ", database=" + database + ", adminUser=" + adminUser + ", adminPassword=(hidden), sslMode="
                + sslMode.value() + "]";
    }
}
