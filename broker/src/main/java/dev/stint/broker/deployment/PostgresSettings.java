package dev.stint.broker.deployment;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

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

    public static final int DEFAULT_PORT = 5432;
    public static final int DEFAULT_POOL_SIZE = 16;
    public static final int MAX_POOL_SIZE = 200;
    /** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
    public static final int MAX_NAME_LENGTH = 63;
    public static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.]*:[0-9A-Fa-f:.]{1,44}");

    public PostgresSettings {
        requireHost(Objects.requireNonNull(host, "host"));
        if (!isPort(port)) {
            throw new IllegalArgumentException("'" + port + "' is not a port (1-65535)");
        }
        requireName(Objects.requireNonNull(database, "database"));
        requireName(Objects.requireNonNull(user, "user"));
        Objects.requireNonNull(password, "password");
        if (password.isEmpty() || password.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the password must not be empty nor contain NUL");
        }
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
        String where = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        // URLEncoder writes a space as '+', which pgjdbc decodes back; %20 reads less ambiguously.
        String name = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return "jdbc:postgresql://" + where + ":" + port + "/" + name;
    }

    /**
     * pgjdbc's {@code user}, {@code password} and {@code sslmode}: passed as properties, not in the
     * URL, so that no value is parsed as URL syntax. A new object each call; it holds the password,
     * so do not log it.
     */
    public Properties jdbcProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("sslmode", sslMode.value());
        return properties;
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "PostgresSettings[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=(hidden), sslMode=" + sslMode.value() + ", poolSize=" + poolSize + "]";
    }

    static boolean isPort(int port) {
        return port >= 1 && port <= 65_535;
    }

    static boolean isPoolSize(int size) {
        return size >= 1 && size <= MAX_POOL_SIZE;
    }

    /** @throws IllegalArgumentException unless {@code host} is a host name, IPv4 or IPv6 address */
    static void requireHost(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (!HOST_NAME.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            throw new IllegalArgumentException("must be a host name, an IPv4 address or an IPv6 address without"
                    + " brackets (letters, digits, '.', '-', '_', ':'; no spaces or control characters)");
        }
    }

    /** @throws IllegalArgumentException unless {@code name} is a database or role name */
    static void requireName(String name) {
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME_LENGTH || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("must be 1-" + MAX_NAME_LENGTH + " characters without control"
                    + " characters");
        }
    }
}
