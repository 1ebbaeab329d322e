package dev.stint.broker.pgroles;

import dev.stint.broker.store.PostgresTestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh database on the test server with a schema of tables to grant on, a group role to join,
 * and an admin user with exactly the rights the README lists (and no more), as which the provider
 * runs: so the tests prove those rights sufficient.
 *
 * <p>The test server trusts every local login, which would prove nothing about passwords. So once
 * per JVM, members of the role {@value #PASSWORD_CHECKED} are made to log in with SCRAM-SHA-256
 * (one line at the top of the server's pg_hba.conf); logins that must prove their password join it.
 * No other test's login is a member, so none of them is affected.
 */
public final class AdminDatabase {

    static final String PASSWORD_CHECKED = "password_checked";
    /** The admin's password, to look for in every message: it must never appear. */
    public static final String ADMIN_PASSWORD = "Adm1n-s3cret-never-shown";

    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static boolean passwordsChecked;

    public final String database;
    public final String admin;
    final String readers;
    final String where;
    private final List<String> made = new ArrayList<>();

    private AdminDatabase(String database, int n) {
        this.database = database;
        this.admin = "stint_admin_" + n;
        this.readers = "app_readers_" + n;
        this.where = "test (localhost:" + PostgresTestDatabase.port() + "/" + database + ")";
    }

    public static AdminDatabase create() throws SQLException {
        requirePasswordsChecked();
        AdminDatabase db = new AdminDatabase(PostgresTestDatabase.createDatabase(), NUMBER.incrementAndGet());
        db.asSuperuser(
                "CREATE SCHEMA app",
                "CREATE TABLE app.orders (id int PRIMARY KEY, item text)",
                "INSERT INTO app.orders VALUES (1, 'tea'), (2, 'cake')",
                "CREATE TABLE app.payments (id int PRIMARY KEY, amount int)",
                "INSERT INTO app.payments VALUES (1, 10)",
                "CREATE SCHEMA private",
                "CREATE TABLE private.keys (id int)",
                "CREATE ROLE " + db.readers + " NOLOGIN",
                "GRANT USAGE ON SCHEMA app TO " + db.readers,
                "GRANT SELECT ON app.payments TO " + db.readers,
                // The admin user: the README's statements, word for word but for the names.
                "CREATE ROLE " + db.admin + " LOGIN CREATEROLE PASSWORD '" + ADMIN_PASSWORD + "'",
                "GRANT USAGE, CREATE ON SCHEMA app TO " + db.admin + " WITH GRANT OPTION",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO " + db.admin
                        + " WITH GRANT OPTION",
                "GRANT " + db.readers + " TO " + db.admin + " WITH ADMIN OPTION",
                "GRANT " + PASSWORD_CHECKED + " TO " + db.admin + " WITH ADMIN OPTION");
        return db;
    }

    /**
     * A deployment whose one backend, {@code orders-dev} (tier dev), is this database reached on
     * {@code port}, as this admin user (its password from the environment, never the file).
     */
    public dev.stint.broker.deployment.Deployment deployment(int port, Path dir)
            throws dev.stint.broker.deployment.DeploymentFileException {
        String env = "STINT_TEST_ADMIN_PASSWORD";
        return dev.stint.broker.deployment.DeploymentFile.parse("""
                backends:
                  postgres:
                    orders-dev:
                      tier: dev
                      host: localhost
                      port: %d
                      database: %s
                      admin_user: %s
                      admin_password_env: %s
                """.formatted(port, database, admin, env), "deploy.yaml", java.util.Map.of(env, ADMIN_PASSWORD), dir);
    }

    /** The provider, running as the admin user. */
    public PostgresRoles roles() {
        return new PostgresRoles(where, adminSource());
    }

    ConnectionSource adminSource() {
        return () -> connect(database, admin, ADMIN_PASSWORD);
    }

    /** A fresh name, remembered so that {@link #dropLeftovers()} removes it whatever the test did. */
    public RoleName newName(String tier) {
        RoleName name = RoleName.generate(new dev.stint.token.Tier(tier));
        made.add(name.value());
        return name;
    }

    /** Logs in as {@code user}. */
    public Connection login(String user, String password) throws SQLException {
        return connect(database, user, password);
    }

    public void asSuperuser(String... statements) throws SQLException {
        try (Connection c = connect(database, PostgresTestDatabase.USER, ""); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** The first column of the first row of a query run as superuser, or empty without rows. */
    public Optional<String> superuserQuery(String sql) throws SQLException {
        try (Connection c = connect(database, PostgresTestDatabase.USER, ""); Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            return r.next() ? Optional.ofNullable(r.getString(1)) : Optional.empty();
        }
    }

    public boolean roleExists(String role) throws SQLException {
        return superuserQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'").isPresent();
    }

    Optional<String> comment(String role) throws SQLException {
        return superuserQuery("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = '" + role + "'");
    }

    /** Every role a test made here, removed as superuser (with its sessions) whatever state it is in. */
    public void dropLeftovers() throws SQLException {
        for (String role : made) {
            if (!roleExists(role)) {
                continue;
            }
            asSuperuser("SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity WHERE usename = '" + role + "'");
            if (RoleName.isStintName(role)) {
                try {
                    // A privilege is revoked only by its grantor: the admin's grants by the admin. The
                    // admin takes the role over itself, as the provider does: on PostgreSQL 16 a grant by
                    // the superuser would duplicate the creator's grant, which has no INHERIT.
                    asSuperuser("SET ROLE " + admin, "GRANT " + role + " TO " + admin, "DROP OWNED BY " + role);
                } catch (SQLException notTheAdminsRole) {
                    // Made by the superuser (a lookalike): the superuser's DROP OWNED below is enough.
                }
            }
            asSuperuser("REASSIGN OWNED BY " + role + " TO postgres", "DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    public void remember(String role) {
        made.add(role);
    }

    static Connection connect(String database, String user, String password) throws SQLException {
        return connectTo("localhost", PostgresTestDatabase.port(), database, user, password);
    }

    /** A connection with short timeouts, so that a test of a server that is down or frozen ends soon. */
    static Connection connectTo(String host, int port, String database, String user, String password)
            throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("loginTimeout", "2");
        properties.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, properties);
    }

    private static synchronized void requirePasswordsChecked() throws SQLException {
        if (passwordsChecked) {
            return;
        }
        try (Connection c = connect("postgres", PostgresTestDatabase.USER, ""); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + PASSWORD_CHECKED + "'")) {
                if (!r.next()) {
                    s.execute("CREATE ROLE " + PASSWORD_CHECKED + " NOLOGIN");
                    s.execute("CREATE ROLE password_probe LOGIN PASSWORD 'probe' IN ROLE " + PASSWORD_CHECKED);
                }
            }
            Path hba;
            try (ResultSet r = s.executeQuery("SHOW hba_file")) {
                r.next();
                hba = Path.of(r.getString(1));
            }
            String line = "host all +" + PASSWORD_CHECKED + " all scram-sha-256\n";
            String rules = Files.readString(hba);
            if (!rules.contains(line)) {
                Files.writeString(hba, line + rules);
            }
            s.execute("SELECT pg_reload_conf()");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The postmaster rereads the file on its own time: wait, bounded, until a wrong password fails.
        for (int i = 0; i < 100; i++) {
            try (Connection probe = connect("postgres", "password_probe", "wrong")) {
                Thread.onSpinWait();
            } catch (SQLException refused) {
                passwordsChecked = true;
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("pg_hba.conf change did not take effect");
    }
}
