package dev.stint.broker.deployment;

import java.util.Objects;
import java.util.Properties;

/**
 * How to reach the shared PostgreSQL store. Values are checked here as well as in the deployment
 * file, so that no code path can build a connection from unchecked parts.
 *
 * <p>{@link #toString()} leaves the password out; nothing else here prints it.
 *
 * @param host a host name, IPv4 address or IPv6 address (without brackets). Limited to
 *     characters that need no escaping in a JDBC URL, because pgjdbc does not decode the host:
 *     a {@code ,}, {@code /} or {@code ?} there would add a host, a path or parameters
 * @param port 1-65535
 * @param database the database name, 1-63 characters, no control characters
 * @param user the login role, 1-63 characters, no control characters
 * @param password not empty, no NUL (PostgreSQL cannot take one)
 * @param sslMode pgjdbc's {@code sslmode}
 * @param poolSize connections the broker keeps open, 1-200
 */
public record PostgresSettings(
        String host, int port, String database, String user, String password, SslMode sslMode, int poolSize) {

    public static final int DEFAULT_PORT = PostgresJdbc.DEFAULT_PORT;
    public static final int DEFAULT_POOL_SIZE = 16;
    public static final int MAX_POOL_SIZE = 200;
    /** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
    public static final int MAX_NAME_LENGTH = PostgresJdbc.MAX_NAME_LENGTH;
    public static final SslMode DEFAULT_SSL_MODE = PostgresJdbc.DEFAULT_SSL_MODE;

    public PostgresSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        PostgresJdbc.requireConnection(host, port, database, user, password);
        Objects.requireNonNull(sslMode, "sslMode");
        if (!isPoolSize(poolSize)) {
            throw new IllegalArgumentException("'" + poolSize + "' is not a pool size (1-" + MAX_POOL_SIZE + ")");
        }
    }

    /**
     * {@code jdbc:postgresql://HOST:PORT/DATABASE}: an IPv6 host in brackets, the database name
     * percent-encoded (pgjdbc decodes it), so that no name can add a path or parameters. Nothing
     * else goes in the URL; the rest is in {@link #jdbcProperties()}.
     */
    public String jdbcUrl() {
        return PostgresJdbc.url(host, port, database);
    }

    /**
     * pgjdbc's {@code user}, {@code password} and {@code sslmode}: passed as properties, not in the
     * URL, so that no value is parsed as URL syntax. A new object each call; it holds the password,
     * so do not log it.
     */
    public Properties jdbcProperties() {
        return PostgresJdbc.properties(user, password, sslMode);
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "PostgresSettings[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=(hidden), sslMode=" + sslMode.value() + ", poolSize=" + poolSize + "]";
    }

    static boolean isPoolSize(int size) {
        return size >= 1 && size <= MAX_POOL_SIZE;
    }
}
