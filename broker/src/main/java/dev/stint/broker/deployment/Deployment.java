package dev.stint.broker.deployment;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a broker's parts are and how to reach them, as read from its deployment file. Only the
 * store so far; later sections (backends, federation, sign-in, notifications) become further
 * components.
 *
 * @param postgres the shared PostgreSQL store; empty means the embedded store (SQLite in the data
 *     directory)
 */
public record Deployment(Optional<PostgresSettings> postgres) {

    /** No deployment file, or one without a {@code store}: the embedded store. */
    public static final Deployment NONE = new Deployment(Optional.empty());

    public Deployment {
        Objects.requireNonNull(postgres, "postgres");
    }

    /** A deployment whose store is the given PostgreSQL database. */
    public static Deployment of(PostgresSettings postgres) {
        return new Deployment(Optional.of(postgres));
    }
}
