package dev.stint.broker.deployment;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How the broker protects its connection to PostgreSQL: the libpq modes, passed to pgjdbc as its
 * {@code sslmode} connection property. {@link #PREFER} is pgjdbc's default, kept so that a
 * deployment file without {@code ssl_mode} connects as a bare JDBC URL would.
 */
public enum SslMode {
    DISABLE("disable"),
    ALLOW("allow"),
    PREFER("prefer"),
    REQUIRE("require"),
    VERIFY_CA("verify-ca"),
    VERIFY_FULL("verify-full");

    /** The modes as written in a deployment file, in order of increasing protection. */
    public static final String NAMES = Arrays.stream(values()).map(SslMode::value).collect(Collectors.joining(", "));

    private final String value;

    SslMode(String value) {
        this.value = value;
    }

    /** The name in deployment files, and pgjdbc's value for {@code sslmode}. */
    public String value() {
        return value;
    }

    /**
     * @throws IllegalArgumentException when {@code value} is not one of the six libpq names
     *     (exactly, lower case)
     */
    public static SslMode parse(String value) {
        for (SslMode mode : values()) {
            if (mode.value.equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not an ssl_mode (" + NAMES + ")");
    }
}
