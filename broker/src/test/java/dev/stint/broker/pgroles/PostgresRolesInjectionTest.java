package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every string that reaches SQL or a username, tried with injection payloads: each is refused as
 * input (the broker's 400) before a connection is even opened, and no role appears.
 */
class PostgresRolesInjectionTest {

    private static final Instant DEADLINE = Instant.now().plus(1, ChronoUnit.HOURS);
    private static final AtomicInteger OPENED = new AtomicInteger();
    private static AdminDatabase db;
    private static PostgresRoles roles;
    private static String rolesBefore;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = AdminDatabase.create();
        roles = new PostgresRoles(db.where, () -> {
            OPENED.incrementAndGet();
            return db.adminSource().open();
        });
        rolesBefore = db.superuserQuery("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles").orElseThrow();
    }

    @AfterAll
    static void nothingWasCreatedAndNothingWasAsked() throws SQLException {
        assertThat(OPENED).hasValue(0);
        assertThat(db.superuserQuery("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"))
                .contains(rolesBefore);
    }

    /** One input to create or revoke, built from a hostile string. */
    interface Attempt {
        void run() throws Exception;
    }

    static Stream<Arguments> payloads() {
        return Stream.of(
                row("grants: statement separator", () -> create("SELECT ON TABLE app.orders; DROP TABLE app.orders",
                        List.of(), "tsk_1", "dev", "broker-1")),
                row("grants: quoted name", () -> create("SELECT ON TABLE \"app\".\"orders\"", List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: line comment", () -> create("SELECT ON TABLE app.orders -- x", List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: block comment", () -> create("SELECT ON TABLE app.orders /* */", List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: all to public", () -> create("ALL ON TABLE app.orders TO public", List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: grant option", () -> create("SELECT ON TABLE app.orders WITH GRANT OPTION", List.of(),
                        "tsk_1", "dev", "broker-1")),
                row("grants: unicode lookalike", () -> create("SELECT ON TABLE app.оrders", List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: dollar quoting", () -> create("SELECT ON TABLE $$x$$", List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: very long", () -> create("SELECT ON TABLE " + "a".repeat(5000), List.of(), "tsk_1", "dev",
                        "broker-1")),
                row("grants: empty", () -> create("", List.of(), "tsk_1", "dev", "broker-1")),
                row("in_roles: superuser", () -> create("USAGE ON SCHEMA app", List.of("postgres"), "tsk_1", "dev",
                        "broker-1")),
                row("in_roles: server files", () -> create("USAGE ON SCHEMA app", List.of("pg_write_server_files"),
                        "tsk_1", "dev", "broker-1")),
                row("in_roles: separator", () -> create("USAGE ON SCHEMA app", List.of("a;b"), "tsk_1", "dev",
                        "broker-1")),
                row("in_roles: quote", () -> create("USAGE ON SCHEMA app", List.of("x\" WITH SUPERUSER --"), "tsk_1",
                        "dev", "broker-1")),
                row("task id: quote", () -> create("USAGE ON SCHEMA app", List.of(), "tsk'; DROP ROLE postgres; --",
                        "dev", "broker-1")),
                row("task id: json", () -> create("USAGE ON SCHEMA app", List.of(), "tsk\",\"tier\":\"prod", "dev",
                        "broker-1")),
                row("tier: injection", () -> create("USAGE ON SCHEMA app", List.of(), "tsk_1", "dev'; --",
                        "broker-1")),
                row("broker: quote", () -> create("USAGE ON SCHEMA app", List.of(), "tsk_1", "dev",
                        "b' IS NULL; DROP ROLE x; --")),
                row("broker: newline", () -> create("USAGE ON SCHEMA app", List.of(), "tsk_1", "dev", "b\nstint-lease:")),
                row("role name: not Stint's", () -> new RoleName("postgres")),
                row("role name: quote", () -> new RoleName("stint_dev_0123456789abcdef\"; DROP ROLE postgres; --")),
                row("revoke: superuser", () -> roles.revoke("postgres")),
                row("revoke: lookalike", () -> roles.revoke("stint_x")),
                row("revoke: quote", () -> roles.revoke("stint_dev_0123456789abcdef\" CASCADE; --")),
                row("revoke: unicode", () -> roles.revoke("stint_dev_0123456789abcdеf")),
                row("revoke: null", () -> roles.revoke(null)));
    }

    private static Arguments row(String name, Attempt attempt) {
        return Arguments.of(name, attempt);
    }

    /** The way the broker builds a create call from policy and request values. */
    private static void create(String grants, List<String> groups, String task, String tier, String broker)
            throws PostgresUnavailableException {
        Tier parsedTier = new Tier(tier);
        roles.create(RoleName.generate(parsedTier), Grants.parse(grants), groups.stream().map(GroupRole::parse).toList(),
                new RoleComment(new TaskId(task), parsedTier, DEADLINE, broker));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void hostileInputIsRefusedBeforeAnySql(String name, Attempt attempt) {
        assertThatThrownBy(attempt::run).isInstanceOf(IllegalArgumentException.class);
        assertThat(OPENED).hasValue(0);
    }
}
