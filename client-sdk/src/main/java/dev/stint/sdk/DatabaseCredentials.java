package dev.stint.sdk;

import dev.stint.token.Tier;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A database login the broker issued for one task: connect with {@link #jdbcUrl()},
 * {@link #username()} and {@link #password()}. It stops working at {@link #expiresAt()} at the
 * latest, and when its task ends. {@link #toString()} never prints the password.
 *
 * @param username the login's name
 * @param password the login's password; a secret, handed out by the broker once
 * @param leaseId the broker's id for this login, as listed by {@link TaskSession#leases()}
 * @param expiresAt when the login stops working; never after its task's deadline
 * @param host the database server: a host name, an IPv4 address or an IPv6 address (unbracketed)
 * @param port the database server's port, 1 to 65535
 * @param database the database to connect to
 * @param role the role it was requested for, e.g. {@code orders-readonly}
 * @param tier the tier it belongs to: its task's
 */
public record DatabaseCredentials(
        String username,
        String password,
        String leaseId,
        Instant expiresAt,
        String host,
        int port,
        String database,
        String role,
        Tier tier) {

    /** A host name or IPv4 address; nothing that could end the authority part of a URL. */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    /** An IPv6 address without zone: hex groups, colons, and dots for an embedded IPv4 address. */
    private static final Pattern IPV6 = Pattern.compile("(?=.*:.*:)[0-9A-Fa-f:.]{2,45}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    public DatabaseCredentials {
        requireText(username, "username");
        requireText(password, "password");
        requireText(leaseId, "leaseId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(host, "host");
        if (!isHost(host)) {
            throw new IllegalArgumentException("host is not a host name, an IPv4 address or an IPv6 address");
        }
        if (!isPort(port)) {
            throw new IllegalArgumentException("port must be between 1 and 65535");
        }
        requireText(database, "database");
        Objects.requireNonNull(role, "role");
        if (!DatabaseRoles.isRoleName(role)) {
            throw new IllegalArgumentException("role is not a database role name");
        }
        Objects.requireNonNull(tier, "tier");
    }

    /**
     * The PostgreSQL JDBC URL {@code jdbc:postgresql://HOST:PORT/DATABASE}: an IPv6 host is
     * bracketed and the database name is percent-encoded (UTF-8), which the driver decodes. The
     * URL carries no user name, password or parameters.
     */
    public String jdbcUrl() {
        String authority = host.contains(":") ? "[" + host + "]" : host;
        // URLEncoder writes a space as '+'; %20 means the same to the driver and to any URL parser.
        String path = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return "jdbc:postgresql://" + authority + ":" + port + "/" + path;
    }

    /** True for a host name, an IPv4 address or an unbracketed IPv6 address without zone. */
    static boolean isHost(String host) {
        return host != null && (HOST_NAME.matcher(host).matches() || IPV6.matcher(host).matches());
    }

    static boolean isPort(long port) {
        return port >= 1 && port <= 65_535;
    }

    /** True for a non-empty string without control characters. */
    static boolean isText(String text) {
        return text != null && !text.isEmpty() && !CONTROL.matcher(text).find();
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (!isText(value)) {
            // The value itself stays out of the message: it may be the password.
            throw new IllegalArgumentException(name + " must be non-empty and free of control characters");
        }
    }

    @Override
    public String toString() {
        return "DatabaseCredentials[username=" + username + ", password=(hidden), leaseId=" + leaseId
                + ", expiresAt=" + expiresAt + ", host=" + host + ", port=" + port + ", database=" + database
                + ", role=" + role + ", tier=" + tier + "]";
    }
}
