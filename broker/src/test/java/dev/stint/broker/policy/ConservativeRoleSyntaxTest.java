package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Until the real grammar lands, nothing that could end a statement, quote or comment loads. */
class ConservativeRoleSyntaxTest {

    private static final DatabaseRoleSyntax SYNTAX = DatabaseRoleSyntax.conservative();
    private static final String GRANT = ": a grant is privileges and objects, such as SELECT ON ALL TABLES IN SCHEMA"
            + " public";
    private static final String ROLE = ": a group role is the name of one existing role";

    @ParameterizedTest
    @ValueSource(strings = {"SELECT ON ALL TABLES IN SCHEMA public", "SELECT, INSERT ON orders",
            "USAGE ON SCHEMA app", "SELECT ON commandes_éte", "EXECUTE ON ALL FUNCTIONS IN SCHEMA app"})
    void plainGrantsPass(String clause) {
        assertThatCode(() -> SYNTAX.checkGrants(List.of(clause))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders_readers", "pg_read_all_data", "reporting-team"})
    void plainGroupRolesPass(String name) {
        assertThatCode(() -> SYNTAX.checkGroupRole(name)).doesNotThrowAnyException();
    }

    static Stream<Arguments> refusedGrants() {
        return Stream.of(
                Arguments.of("empty", "", "must not be empty" + GRANT),
                Arguments.of("blank", "   ", "must not be empty" + GRANT),
                Arguments.of("1001 characters", "S".repeat(1001), "must be at most 1000 characters" + GRANT),
                Arguments.of("statement separator", "SELECT ON t; DROP ROLE admin",
                        "must not contain ';' (one statement each)" + GRANT),
                Arguments.of("single quote", "SELECT ON t'", "must not contain quotes" + GRANT),
                Arguments.of("double quote", "SELECT ON \"T\"", "must not contain quotes" + GRANT),
                Arguments.of("line comment", "SELECT ON t --", "must not contain comments ('--', '/*', '*/')" + GRANT),
                Arguments.of("block comment start", "SELECT /* x", "must not contain comments ('--', '/*', '*/')"
                        + GRANT),
                Arguments.of("block comment end", "SELECT */ x", "must not contain comments ('--', '/*', '*/')"
                        + GRANT),
                Arguments.of("backslash", "SELECT ON t\\", "must not contain '\\'" + GRANT),
                Arguments.of("line break", "SELECT ON t\nTO PUBLIC", "must not contain control characters" + GRANT),
                Arguments.of("NUL", "SELECT ON t\0", "must not contain control characters" + GRANT),
                Arguments.of("bidi override", "SELECT ON t\u202E", "must not contain control characters" + GRANT),
                Arguments.of("line separator", "SELECT ON t\u2028", "must not contain control characters" + GRANT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedGrants")
    void grantIsRefused(String name, String clause, String message) {
        assertThatThrownBy(() -> SYNTAX.checkGrants(List.of("SELECT ON ok", clause)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    static Stream<Arguments> refusedGroupRoles() {
        return Stream.of(
                Arguments.of("empty", "", "must not be empty" + ROLE),
                Arguments.of("64 characters", "r".repeat(64), "must be at most 63 characters" + ROLE),
                Arguments.of("two roles", "readers,writers", "must not contain spaces or ','" + ROLE),
                Arguments.of("an option after it", "readers WITH ADMIN OPTION", "must not contain spaces or ','"
                        + ROLE),
                Arguments.of("quote", "readers\"", "must not contain quotes" + ROLE),
                Arguments.of("separator", "r;", "must not contain ';' (one statement each)" + ROLE),
                Arguments.of("comment", "r--", "must not contain comments ('--', '/*', '*/')" + ROLE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedGroupRoles")
    void groupRoleIsRefused(String name, String role, String message) {
        assertThatThrownBy(() -> SYNTAX.checkGroupRole(role))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void conservativeIsOneSharedInstance() {
        org.assertj.core.api.Assertions.assertThat(DatabaseRoleSyntax.conservative()).isSameAs(SYNTAX);
    }
}
