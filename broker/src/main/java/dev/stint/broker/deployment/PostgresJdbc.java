package dev.stint.broker.deployment;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What every PostgreSQL connection in a deployment file (the store, each {@code backends.postgres}
 * connection) may look like, and how it is handed to pgjdbc. One place, so that the store and
 * the backends cannot drift apart on what a safe host or URL is.
 */
final class PostgresJdbc {

    static final int DEFAULT_PORT = 5432;
    /** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
    static final int MAX_NAME_LENGTH = 63;
    /** pgjdbc's own default, so that leaving {@code ssl_mode} out connects as a bare JDBC URL would. */
    static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.]*:[0-9A-Fa-f:.]{1,44}");

    private PostgresJdbc() {
    }

    /**
     * {@code jdbc:postgresql://HOST:PORT/DATABASE}: an IPv6 host in brackets, the database name
     * percent-encoded (pgjdbc decodes it), so that no name can add a path or parameters. Nothing
     * else goes in the URL; the rest is in {@link #properties}.
     */
    static String url(String host, int port, String database) {
        String where = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        // URLEncoder writes a space as '+', which pgjdbc decodes back; %20 reads less ambiguously.
        String name = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return "jdbc:postgresql://" + where + ":" + port + "/" + name;
    }

    /**
     * pgjdbc's {@code user}, {@code password} and {@code sslmode}: passed as properties, not in the
     * URL, so that no value is parsed as URL syntax. A new object each call; it holds the password.
     */
    static Properties properties(String user, String password, SslMode sslMode) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("sslmode", sslMode.value());
        return properties;
    }

    /** Checks host, port, database, user and password together, as both record constructors do. */
    static void requireConnection(String host, int port, String database, String user, String password) {
        requireHost(host);
        if (!isPort(port)) {
            throw new IllegalArgumentException("'" + port + "' is not a port (1-65535)");
        }
        requireName(database);
        requireName(user);
        if (password.isEmpty() || password.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the password must not be empty nor contain NUL");
        }
    }

    static boolean isPort(int port) {
        return port >= 1 && port <= 65_535;
    }

    /**
     * @throws IllegalArgumentException unless {@code host} is a host name, IPv4 or IPv6 address,
     *     limited to characters that need no escaping in a JDBC URL: pgjdbc does not decode the
     *     host, so a {@code ,}, {@code /} or {@code ?} there would add a host, a path or parameters
     */
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
