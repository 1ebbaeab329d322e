package dev.stint.broker.pgroles;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where {@link PostgresRoles} gets an admin connection to one database, e.g. a pool's
 * {@code dataSource::getConnection}. Each call's connection is closed after one operation.
 *
 * <p>The source decides how long PostgreSQL may take to accept and to answer (pgjdbc's
 * {@code connectTimeout}, {@code loginTimeout} and {@code socketTimeout}): without them a frozen
 * server holds the calling thread until TCP gives up. {@link PostgresRoles} itself bounds each
 * statement and lock wait inside the server.
 */
@FunctionalInterface
public interface ConnectionSource {

    /**
     * A connection logged in as the admin user.
     *
     * @throws SQLException when none can be had; its message must not contain the admin password
     *                      (pgjdbc's never do)
     */
    Connection open() throws SQLException;
}
