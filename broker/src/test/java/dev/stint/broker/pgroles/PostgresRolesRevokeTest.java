package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.pgroles.PostgresUnavailableException.Kind;
import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Removing a login: sessions ended, role dropped, verified; every step safe to repeat. */
class PostgresRolesRevokeTest {

    private static final Instant DEADLINE = Instant.now().plus(1, ChronoUnit.HOURS);

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

    private CreatedLogin create(String... grants) throws PostgresUnavailableException {
        return roles.create(db.newName("dev"), Grants.parse(List.of(grants)), List.of(),
                new RoleComment(new TaskId("tsk_1"), new Tier("dev"), DEADLINE, "broker-1"));
    }

    @Test
    void revokeEndsALiveSessionAndDropsTheRole() throws Exception {
        CreatedLogin login = create("USAGE ON SCHEMA app", "SELECT ON TABLE app.orders");
        Connection session = db.login(login.username(), login.password());

        roles.revoke(login.username());

        assertThatThrownBy(() -> {
            try (Statement s = session.createStatement()) {
                s.executeQuery("SELECT 1");
            }
        }).isInstanceOf(SQLException.class);
        session.close();
        assertThat(db.roleExists(login.username())).isFalse();
        assertThat(db.superuserQuery("SELECT count(*) FROM pg_stat_activity WHERE usename IS NULL AND backend_type"
                + " = 'client backend'")).contains("0");
    }

    @Test
    void revokeEndsSessionsInEveryDatabase() throws Exception {
        CreatedLogin login = create("USAGE ON SCHEMA app");
        Connection elsewhere = AdminDatabase.connect("postgres", login.username(), login.password());

        roles.revoke(login.username());

        assertThat(elsewhere.isValid(2)).isFalse();
        elsewhere.close();
        assertThat(db.roleExists(login.username())).isFalse();
    }

    @Test
    void objectsTheLoginCreatedAreKeptAndOwnedByTheAdmin() throws Exception {
        CreatedLogin login = create("USAGE, CREATE ON SCHEMA app");
        try (Connection c = db.login(login.username(), login.password()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE app.migrated (id int)");
        }

        roles.revoke(login.username());

        assertThat(db.superuserQuery("SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename ="
                + " 'migrated'")).contains(db.admin);
        assertThat(db.roleExists(login.username())).isFalse();
    }

    @Test
    void revokingTwiceSucceeds() throws Exception {
        CreatedLogin login = create("USAGE ON SCHEMA app");

        roles.revoke(login.username());
        roles.revoke(login.username());

        assertThat(db.roleExists(login.username())).isFalse();
    }

    @Test
    void revokingANameNeverCreatedSucceeds() throws Exception {
        roles.revoke(db.newName("dev").value());
    }

    @Test
    void revokeFinishesWhatAnInterruptedRevokeLeft() throws Exception {
        CreatedLogin login = create("USAGE ON SCHEMA app");
        // As if an earlier attempt stopped after the take-over and NOLOGIN.
        db.asSuperuser("GRANT " + login.username() + " TO " + db.admin, "ALTER ROLE " + login.username() + " NOLOGIN");

        roles.revoke(login.username());

        assertThat(db.roleExists(login.username())).isFalse();
    }

    @Test
    void loginOwningObjectsInAnotherDatabaseIsReportedNotGoneButCannotLogIn() throws Exception {
        CreatedLogin login = create("USAGE ON SCHEMA app");
        String other = PostgresTestDatabase.createDatabase();
        // Everyone's by default before PostgreSQL 15; granted to everyone here, so that every version behaves alike.
        try (Connection c = AdminDatabase.connect(other, PostgresTestDatabase.USER, "");
                Statement s = c.createStatement()) {
            s.execute("GRANT CREATE ON SCHEMA public TO PUBLIC");
        }
        try (Connection c = AdminDatabase.connect(other, login.username(), login.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.stray (id int)");
        }

        assertThatThrownBy(() -> roles.revoke(login.username()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": revoke " + login.username() + " not verified: " + login.username()
                        + " still owns objects or holds privileges in " + other + ", which REASSIGN OWNED and DROP"
                        + " OWNED reach only from a connection to that database")
                .satisfies(e -> assertThat(((PostgresUnavailableException) e).kind()).isEqualTo(Kind.NOT_GONE));
        assertThat(db.superuserQuery("SELECT rolcanlogin FROM pg_roles WHERE rolname = '" + login.username() + "'"))
                .contains("f");
        try (Connection c = AdminDatabase.connect(other, PostgresTestDatabase.USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE public.stray");
        }
        roles.revoke(login.username());
        assertThat(db.roleExists(login.username())).isFalse();
    }

    @Test
    void privilegeAnotherRoleGrantedIsReportedNotGone() throws Exception {
        CreatedLogin login = create("USAGE ON SCHEMA app");
        db.asSuperuser("GRANT SELECT ON private.keys TO " + login.username());

        assertThatThrownBy(() -> roles.revoke(login.username()))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessage(db.where + ": revoke " + login.username() + " not verified: " + login.username()
                        + " still holds privileges that another role granted (DROP OWNED revokes only the admin user's"
                        + " grants): revoke them as their grantor");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "stint_x", "stint_admin", "stint_dev_0123456789abcdef\"; DROP ROLE postgres; --",
            "STINT_DEV_0123456789ABCDEF", "stint_dev_0123456789abcdeF", ""})
    void nameThatIsNotAStintLoginIsRefusedBeforeAnySql(String name) {
        AtomicInteger opened = new AtomicInteger();
        PostgresRoles counting = new PostgresRoles(db.where, () -> {
            opened.incrementAndGet();
            return db.adminSource().open();
        });

        assertThatThrownBy(() -> counting.revoke(name)).isInstanceOf(IllegalArgumentException.class);
        assertThat(opened).hasValue(0);
    }
}
