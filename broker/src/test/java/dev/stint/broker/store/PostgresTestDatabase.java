package dev.stint.broker.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (unpacked from a Maven artifact, stopped when the JVM
 * ends), and a fresh, empty database on it for each test that asks. The server listens on
 * localhost, trusts every local login (any password is accepted) and knows the user
 * {@value #USER}.
 */
public final class PostgresTestDatabase {

    public static final String USER = "postgres";
    public static final String PASSWORD = "";

    private static final EmbeddedPostgres SERVER = startServer();
    private static final AtomicInteger NUMBER = new AtomicInteger();

    private PostgresTestDatabase() {
    }

    /** Creates an empty database and returns its JDBC URL. */
    public static String create() {
        return SERVER.getJdbcUrl(USER, createDatabase());
    }

    /** Creates an empty database and returns its name, for clients that connect by host and {@link #port()}. */
    public static String createDatabase() {
        String name = "stint_test_" + NUMBER.incrementAndGet();
        try (Connection c = SERVER.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return name;
    }

    /** The port the server listens on. */
    public static int port() {
        return SERVER.getPort();
    }

    /** A connection of its own to the database at {@code url}, past any store. */
    static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, USER, PASSWORD);
    }

    private static EmbeddedPostgres startServer() {
        try {
            // No fsync: a test server need not survive a power cut, and commits otherwise wait on the disk.
            EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // The JVM is ending; the server's directory is temporary.
                }
            }, "embedded-postgres-stop"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
