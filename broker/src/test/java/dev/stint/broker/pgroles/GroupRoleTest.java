package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which existing roles a policy may make task logins join. */
class GroupRoleTest {

    @ParameterizedTest
    @ValueSource(strings = {"app_readers", "orders_rw", "_ops", "team$1", "pg_read_all_data", "pg_monitor"})
    void plainRoleIsAccepted(String name) {
        assertThat(GroupRole.parse(name).name()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            superuser         | postgres               | group role 'postgres' is not allowed: it is the superuser or a word PostgreSQL reads as something other than a role
            PUBLIC            | public                 | group role 'public' is not allowed: it is the superuser or a word PostgreSQL reads as something other than a role
            CURRENT_USER      | current_user           | group role 'current_user' is not allowed: it is the superuser or a word PostgreSQL reads as something other than a role
            server files      | pg_write_server_files  | group role 'pg_write_server_files' is not allowed: of the predefined pg_ roles only pg_monitor, pg_read_all_data, pg_read_all_settings, pg_read_all_stats, pg_stat_scan_tables, pg_write_all_data may be joined
            server program    | pg_execute_server_program | group role 'pg_execute_server_program' is not allowed: of the predefined pg_ roles only pg_monitor, pg_read_all_data, pg_read_all_settings, pg_read_all_stats, pg_stat_scan_tables, pg_write_all_data may be joined
            signal backends   | pg_signal_backend      | group role 'pg_signal_backend' is not allowed: of the predefined pg_ roles only pg_monitor, pg_read_all_data, pg_read_all_settings, pg_read_all_stats, pg_stat_scan_tables, pg_write_all_data may be joined
            Stint's prefix    | stint_admin            | group role 'stint_admin' is not allowed: stint_ is the prefix of Stint's own logins
            separator         | a;b                    | group role 'a;b' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted
            double quotes     | `"app"`                | group role '"app"' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted
            quote breaking out| `x" TO postgres; --`   | group role 'x" TO postgres; --' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted
            single quote      | o'brien                | group role 'o'brien' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted
            upper case        | Readers                | group role 'Readers' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted
            lookalike         | rеaders                | group role 'r\\u0435aders' has a character that is not printable ASCII (lookalike letters are refused)
            too long          | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | group role 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than 63 bytes (PostgreSQL would silently cut it)
            empty             | ``                     | group role is empty
            """)
    void dangerousOrMalformedRoleIsRejected(String name, String role, String message) {
        assertThatThrownBy(() -> GroupRole.parse(role))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
