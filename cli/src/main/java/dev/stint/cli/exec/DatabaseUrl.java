package dev.stint.cli.exec;

import java.nio.charset.StandardCharsets;

/**
 * The libpq connection URI {@code postgresql://user:password@host:port/database} of a database
 * login, with user, password and database percent-encoded (RFC 3986: everything but the
 * unreserved characters), so that any password survives every URL parser. An IPv6 host is
 * bracketed.
 */
public final class DatabaseUrl {

    private DatabaseUrl() {
    }

    public static String of(String user, String password, String host, int port, String database) {
        String authority = host.contains(":") ? "[" + host + "]" : host;
        return "postgresql://" + encode(user) + ":" + encode(password) + "@" + authority + ":" + port + "/"
                + encode(database);
    }

    /** Percent-encodes every byte of the UTF-8 form but {@code A-Z a-z 0-9 - . _ ~}. */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
