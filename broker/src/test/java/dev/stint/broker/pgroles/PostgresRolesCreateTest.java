package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.pgroles.PostgresUnavailableException.Kind;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Making a login, run as an admin user holding only the README's rights. */
class PostgresRolesCreateTest {

    private static final Instant DEADLINE = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    private static final GroupRole PASSWORD_CHECKED = GroupRole.parse(AdminDatabase.PASSWORD_CHECKED);

    private AdminDatabase db;
    private PostgresRoles roles;

    @BeforeEach
    void createDatabase() throws SQLException {
        db = AdminDatabase.create();
        roles = db.roles();
    }

    @AfterEach
    void dropLogins() throws SQLException {
        db.dropLeftovers();
    }

    private RoleComment comment() {
        return new RoleComment(new TaskId("tsk_0123"), new Tier("dev"), DEADLINE, "https://stint.example.com");
    }

    private CreatedLogin create(Grants grants, GroupRole... groups) throws PostgresUnavailableException {
        return roles.create(db.newName("dev"), grants, List.of(groups), comment());
    }

    @Test
    void loginSignsInWithTheReturnedPasswordAndNoOther() throws Exception {
        CreatedLogin login = create(Grants.parse(List.of("USAGE ON SCHEMA app", "SELECT ON TABLE app.orders")),
                PASSWORD_CHECKED);

        try (Connection c = db.login(login.username(), login.password())) {
            assertThat(count(c, "app.orders")).isEqualTo(2);
        }
        assertThatThrownBy(() -> db.login(login.username(), login.password() + "x"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void loginReadsWhatIsGrantedAndCannotDeleteOrDrop() throws Exception {
        CreatedLogin login = create(Grants.parse(List.of("USAGE ON SCHEMA app", "SELECT ON ALL TABLES IN SCHEMA app")),
                PASSWORD_CHECKED);

        try (Connection c = db.login(login.username(), login.password()); Statement s = c.createStatement()) {
            assertThat(count(c, "app.payments")).isEqualTo(1);
            assertThat(sqlState(() -> s.executeUpdate("DELETE FROM app.orders"))).isEqualTo("42501");
            assertThat(sqlState(() -> s.execute("DROP TABLE app.orders"))).isEqualTo("42501");
            assertThat(sqlState(() -> s.executeUpdate("INSERT INTO app.orders VALUES (3, 'pie')"))).isEqualTo("42501");
        }
    }

    @Test
    void loginCannotReadWhatIsNotGranted() throws Exception {
        CreatedLogin login = create(Grants.parse(List.of("USAGE ON SCHEMA app", "SELECT ON TABLE app.orders")),
                PASSWORD_CHECKED);

        try (Connection c = db.login(login.username(), login.password())) {
            assertThat(sqlState(() -> count(c, "app.payments"))).isEqualTo("42501");
            assertThat(sqlState(() -> count(c, "private.keys"))).isEqualTo("42501");
        }
    }

    @Test
    void loginHasTheRightsOfItsGroupRoles() throws Exception {
        CreatedLogin login = create(Grants.none(), PASSWORD_CHECKED, GroupRole.parse(db.readers));

        try (Connection c = db.login(login.username(), login.password())) {
            assertThat(count(c, "app.payments")).isEqualTo(1);
            assertThat(sqlState(() -> count(c, "app.orders"))).isEqualTo("42501");
        }
    }

    @Test
    void roleCanLogInUntilTheDeadlineAndHasNoOtherAttribute() throws Exception {
        CreatedLogin login = create(Grants.parse("SELECT ON TABLE app.orders"));

        assertThat(db.superuserQuery("SELECT concat_ws(',', rolcanlogin, rolinherit, rolsuper, rolcreaterole,"
                + " rolcreatedb, rolreplication, rolbypassrls, rolconnlimit) FROM pg_roles WHERE rolname = '"
                + login.username() + "'")).contains("t,t,f,f,f,f,f,-1");
        assertThat(db.superuserQuery("SELECT extract(epoch FROM rolvaliduntil)::bigint FROM pg_roles WHERE rolname = '"
                + login.username() + "'")).contains(String.valueOf(DEADLINE.getEpochSecond()));
    }

    @Test
    void commentNamesTaskTierDeadlineBrokerAndDatabase() throws Exception {
        CreatedLogin login = create(Grants.parse("SELECT ON TABLE app.orders"));

        String comment = db.comment(login.username()).orElseThrow();

        assertThat(comment).startsWith("stint-lease:{");
        assertThat(RoleComment.parse(comment)).contains(new RoleComment(new TaskId("tsk_0123"), new Tier("dev"),
                DEADLINE, "https://stint.example.com", db.database));
    }

    @Test
    void serverKeepsOnlyAScramVerifierOfThePassword() throws Exception {
        CreatedLogin login = create(Grants.parse("SELECT ON TABLE app.orders"));

        String stored = db.superuserQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + login.username() + "'")
                .orElseThrow();

        assertThat(stored).startsWith("SCRAM-SHA-256$").doesNotContain(login.password());
    }

    @Test
    void passwordsAreLongRandomAndUrlSafe() throws Exception {
        CreatedLogin first = create(Grants.parse("SELECT ON TABLE app.orders"));
        CreatedLogin second = create(Grants.parse("SELECT ON TABLE app.orders"));

        assertThat(first.password()).matches("[A-Za-z0-9_-]{43}");
        assertThat(second.password()).isNotEqualTo(first.password());
    }

    @Test
    void createdLoginNeverPrintsItsPassword() throws Exception {
        CreatedLogin login = create(Grants.parse("SELECT ON TABLE app.orders"));

        assertThat(login.toString()).contains(login.username()).doesNotContain(login.password());
    }

    @Test
    void grantOnAMissingSchemaLeavesNothingBehind() throws Exception {
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> roles.create(name, Grants.parse(List.of("SELECT ON TABLE app.orders",
                "SELECT ON ALL TABLES IN SCHEMA nosuch")), List.of(), comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": create " + name + " failed: misconfigured: schema \"nosuch\" does not exist"
                        + " (SQLSTATE 3F000)")
                .satisfies(e -> assertThat(((PostgresUnavailableException) e).kind()).isEqualTo(Kind.MISCONFIGURED));
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void grantTheAdminCannotGiveFailsAndLeavesNothingBehind() throws Exception {
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> roles.create(name, Grants.parse("SELECT ON TABLE private.keys"), List.of(), comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": create " + name + " failed: misconfigured: the admin user lacks each granted"
                        + " privilege WITH GRANT OPTION, or ownership of the objects (permission denied for schema"
                        + " private)");
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void grantTheAdminCanGiveOnlyInPartFailsRatherThanGrantLess() throws Exception {
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> roles.create(name, Grants.parse("SELECT, TRUNCATE ON TABLE app.orders"), List.of(),
                comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": create " + name + " failed: misconfigured: the admin user lacks each granted"
                        + " privilege WITH GRANT OPTION, or ownership of the objects (not all privileges were granted"
                        + " for \"orders\")");
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void missingGroupRoleLeavesNothingBehind() throws Exception {
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> roles.create(name, Grants.none(), List.of(GroupRole.parse("no_such_group")), comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": create " + name + " failed: misconfigured: group role no_such_group does not"
                        + " exist");
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void groupRoleThatCanBecomeAPrivilegedRoleIsRefused() throws Exception {
        String elevated = "elevated_" + db.database;
        String team = "team_" + db.database;
        db.asSuperuser("CREATE ROLE " + elevated + " NOLOGIN CREATEDB", "CREATE ROLE " + team + " NOLOGIN IN ROLE "
                + elevated, "GRANT " + team + " TO " + db.admin + " WITH ADMIN OPTION");
        db.remember(team);
        db.remember(elevated);
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> roles.create(name, Grants.none(), List.of(GroupRole.parse(team)), comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": create " + name + " failed: misconfigured: group role " + team + " can become "
                        + elevated + ", which has CREATEDB: a task login could SET ROLE to it");
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void theAdminUserItselfIsRefusedAsAGroupRole() throws Exception {
        String alias = "admin_alias_" + db.database;
        db.asSuperuser("CREATE ROLE " + alias + " NOLOGIN", "GRANT " + db.admin + " TO " + alias);
        db.remember(alias);
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> roles.create(name, Grants.none(), List.of(GroupRole.parse(alias)), comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessageEndingWith("group role " + alias + " can become " + db.admin
                        + ", which has CREATEROLE: a task login could SET ROLE to it");
        assertThat(db.roleExists(name.value())).isFalse();
    }

    @Test
    void adminWithoutCreateroleIsToldWhatItLacks() throws Exception {
        String weak = "weak_admin_" + db.database;
        db.asSuperuser("CREATE ROLE " + weak + " LOGIN PASSWORD '" + AdminDatabase.ADMIN_PASSWORD + "'");
        db.remember(weak);
        PostgresRoles weakRoles = new PostgresRoles(db.where,
                () -> AdminDatabase.connect(db.database, weak, AdminDatabase.ADMIN_PASSWORD));
        RoleName name = db.newName("dev");

        assertThatThrownBy(() -> weakRoles.create(name, Grants.none(), List.of(), comment()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": create " + name + " failed: misconfigured: the admin user lacks CREATEROLE"
                        + " (permission denied to create role)");
    }

    private static int count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
            r.next();
            return r.getInt(1);
        }
    }

    @FunctionalInterface
    private interface Sql {
        Object run() throws SQLException;
    }

    private static String sqlState(Sql sql) {
        try {
            sql.run();
            return "no error";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
