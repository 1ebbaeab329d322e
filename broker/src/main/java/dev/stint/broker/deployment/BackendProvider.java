package dev.stint.broker.deployment;

import java.util.Optional;

/**
 * Who issues database logins for a connection: the built-in PostgreSQL provider (the broker
 * creates the login itself) or a Vault / OpenBao database secrets engine. The names are those of
 * the deployment file's {@code backends} section and the policy's {@code provider} key.
 */
public enum BackendProvider {
    POSTGRES("postgres"),
    VAULT("vault");

    private final String value;

    BackendProvider(String value) {
        this.value = value;
    }

    /** The name in both files. */
    public String value() {
        return value;
    }

    /** The provider of that exact (lower-case) name, or empty. */
    public static Optional<BackendProvider> parse(String value) {
        for (BackendProvider provider : values()) {
            if (provider.value.equals(value)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
