package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.broker.store.PostgresTestDatabase;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reaping from the catalog alone. Deadlines are fixed instants and "now" is a parameter, one
 * second either side of them; each test has its own database, and the reaper of one database
 * leaves the logins of another alone, so tests do not see each other's logins.
 */
class RoleReaperTest {

    private static final Instant DEADLINE = Instant.parse("2999-01-01T00:00:00Z");

    private AdminDatabase db;
    private PostgresRoles roles;
    private RoleReaper reaper;

    @BeforeEach
    void createDatabase() throws SQLException {
        db = AdminDatabase.create();
        roles = db.roles();
        reaper = new RoleReaper(roles);
    }

    @AfterEach
    void dropLogins() throws SQLException {
        db.dropLeftovers();
    }

    private CreatedLogin create(Instant deadline) throws PostgresUnavailableException {
        return roles.create(db.newName("dev"), Grants.parse("USAGE ON SCHEMA app"), List.of(),
                new RoleComment(new TaskId("tsk_1"), new Tier("dev"), deadline, "broker-1"));
    }

    @Test
    void loginIsExpiredFromItsDeadlineOn() throws Exception {
        CreatedLogin login = create(DEADLINE);

        assertThat(roles.expired(DEADLINE.minusSeconds(1))).isEmpty();
        assertThat(roles.expired(DEADLINE)).containsExactly(login.username());
        assertThat(roles.expired(DEADLINE.plusSeconds(1))).containsExactly(login.username());
    }

    @Test
    void reapDropsExpiredLoginsOnlyEarliestFirst() throws Exception {
        CreatedLogin later = create(DEADLINE.minusSeconds(10));
        CreatedLogin earlier = create(DEADLINE.minusSeconds(20));
        CreatedLogin current = create(DEADLINE.plusSeconds(1));

        ReapReport report = reaper.reap(DEADLINE);

        assertThat(report).isEqualTo(new ReapReport(List.of(earlier.username(), later.username()), Map.of(), List.of()));
        assertThat(db.roleExists(later.username())).isFalse();
        assertThat(db.roleExists(earlier.username())).isFalse();
        assertThat(db.roleExists(current.username())).isTrue();
    }

    @Test
    void reapEndsTheOpenSessionOfAnExpiredLogin() throws Exception {
        CreatedLogin login = create(DEADLINE);
        Connection session = db.login(login.username(), login.password());

        reaper.reap(DEADLINE.plusSeconds(1));

        assertThat(session.isValid(2)).isFalse();
        session.close();
        assertThat(db.roleExists(login.username())).isFalse();
    }

    @Test
    void roleWithStintsPrefixButNoMarkerIsNeverTouched() throws Exception {
        String lookalike = RoleName.generate(new Tier("dev")).value();
        db.remember(lookalike);
        db.remember("stint_x");
        db.asSuperuser("CREATE ROLE " + lookalike + " LOGIN VALID UNTIL '2000-01-01Z'",
                "CREATE ROLE stint_x LOGIN VALID UNTIL '2000-01-01Z'",
                "COMMENT ON ROLE stint_x IS '" + markerComment() + "'");

        ReapReport report = reaper.reap(DEADLINE);

        assertThat(report.dropped()).isEmpty();
        assertThat(db.roleExists(lookalike)).isTrue();
        assertThat(db.roleExists("stint_x")).isTrue();
    }

    @Test
    void roleWithTheMarkerButAnotherNameIsNeverTouched() throws Exception {
        String other = "orders_app_" + db.database;
        db.remember(other);
        db.asSuperuser("CREATE ROLE " + other + " LOGIN VALID UNTIL '2000-01-01Z'",
                "COMMENT ON ROLE " + other + " IS '" + markerComment() + "'");

        ReapReport report = reaper.reap(DEADLINE);

        assertThat(report.dropped()).isEmpty();
        assertThat(db.roleExists(other)).isTrue();
    }

    @Test
    void loginMadeForAnotherDatabaseIsLeftToThatDatabasesReaper() throws Exception {
        AdminDatabase otherDb = AdminDatabase.create();
        try {
            RoleName name = otherDb.newName("dev");
            otherDb.roles().create(name, Grants.parse("USAGE ON SCHEMA app"), List.of(),
                    new RoleComment(new TaskId("tsk_2"), new Tier("dev"), DEADLINE, "broker-1"));

            ReapReport report = reaper.reap(DEADLINE.plusSeconds(1));

            assertThat(report.dropped()).isEmpty();
            assertThat(db.roleExists(name.value())).isTrue();
            assertThat(new RoleReaper(otherDb.roles()).reap(DEADLINE.plusSeconds(1)).dropped())
                    .containsExactly(name.value());
        } finally {
            otherDb.dropLeftovers();
        }
    }

    @Test
    void reapGoesOnPastALoginItCannotDropAndReportsIt() throws Exception {
        CreatedLogin stuck = create(DEADLINE.minusSeconds(2));
        CreatedLogin fine = create(DEADLINE.minusSeconds(1));
        String other = PostgresTestDatabase.createDatabase();
        // Everyone's by default before PostgreSQL 15; granted to everyone here, so that every version behaves alike.
        try (Connection c = AdminDatabase.connect(other, PostgresTestDatabase.USER, "");
                Statement s = c.createStatement()) {
            s.execute("GRANT CREATE ON SCHEMA public TO PUBLIC");
        }
        try (Connection c = AdminDatabase.connect(other, stuck.username(), stuck.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.stray (id int)");
        }

        ReapReport report = reaper.reap(DEADLINE);

        assertThat(report.dropped()).containsExactly(fine.username());
        assertThat(report.failed()).containsOnlyKeys(stuck.username());
        assertThat(report.failed().get(stuck.username())).contains("not verified").contains(other);
        assertThat(report.notTried()).isEmpty();
        try (Connection c = AdminDatabase.connect(other, PostgresTestDatabase.USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP OWNED BY " + stuck.username());
        }
    }

    @Test
    void reapWithTheDatabaseDownSaysSoAndDropsNothing() {
        RoleReaper down = new RoleReaper(new PostgresRoles("down (localhost:1/none)",
                () -> AdminDatabase.connectTo("localhost", 1, "none", "stint_admin", AdminDatabase.ADMIN_PASSWORD)));

        assertThatThrownBy(() -> down.reap(DEADLINE))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessageStartingWith("down (localhost:1/none): list expired logins failed: ")
                .satisfies(e -> assertThat(((PostgresUnavailableException) e).kind())
                        .isEqualTo(PostgresUnavailableException.Kind.UNAVAILABLE));
    }

    private String markerComment() {
        return new RoleComment(new TaskId("tsk_9"), new Tier("dev"), Instant.parse("2000-01-01T00:00:00Z"), "broker-1",
                db.database).text();
    }
}
