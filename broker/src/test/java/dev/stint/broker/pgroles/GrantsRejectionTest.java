package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every clause outside the grammar, injection attempts first, each refused with what to write instead. */
class GrantsRejectionTest {

    static Stream<Arguments> rejected() {
        return Stream.of(
                row("statement separator", "SELECT ON TABLE t; DROP TABLE x",
                        "grant rejected at column 18: ';' is a statement separator: a grant is one clause (give several as a list)"),
                row("quoted name", "SELECT ON TABLE \"t\"",
                        "grant rejected at column 17: quoted names are not supported: write names unquoted, in lower case"),
                row("quoted name breaking out", "SELECT ON TABLE \"t\" TO public; --",
                        "grant rejected at column 17: quoted names are not supported: write names unquoted, in lower case"),
                row("string", "SELECT ON TABLE 't'",
                        "grant rejected at column 17: a grant has no strings"),
                row("line comment", "SELECT ON TABLE t -- x",
                        "grant rejected at column 19: comments are not allowed"),
                row("block comment", "SELECT ON TABLE t /* */",
                        "grant rejected at column 19: comments are not allowed"),
                row("all privileges to public", "ALL ON TABLE t TO public",
                        "grant rejected at column 1: ALL PRIVILEGES is not allowed: list the privileges (ALL means more with each PostgreSQL release)"),
                row("grantee", "SELECT ON TABLE t TO public",
                        "grant rejected at column 19: TO is not allowed: Stint grants to each task's own login"),
                row("grantee in lower case", "select on table t to bob",
                        "grant rejected at column 19: TO is not allowed: Stint grants to each task's own login"),
                row("grant option", "SELECT ON TABLE t WITH GRANT OPTION",
                        "grant rejected at column 19: WITH GRANT OPTION is not allowed: a task login must not pass its rights on"),
                row("granted by", "SELECT ON TABLE t GRANTED BY postgres",
                        "grant rejected at column 19: GRANTED BY is not allowed"),
                row("column list", "SELECT (id) ON TABLE t",
                        "grant rejected at column 8: '(' is not allowed: column lists and function signatures are not supported"),
                row("cyrillic lookalike in a name", "SELECT ON TABLE ordеrs",
                        "grant rejected at column 20: U+0435 is not allowed: a grant is plain ASCII letters, digits, '_', '$', ',' and '.' (lookalike letters are refused)"),
                row("cyrillic lookalike in a keyword", "SЕLECT ON TABLE t",
                        "grant rejected at column 2: U+0415 is not allowed: a grant is plain ASCII letters, digits, '_', '$', ',' and '.' (lookalike letters are refused)"),
                row("control character", "SELECT ON TABLE t\u0000",
                        "grant rejected at column 18: U+0000 is not allowed: a grant is plain ASCII letters, digits, '_', '$', ',' and '.' (lookalike letters are refused)"),
                row("backslash", "SELECT ON TABLE t\\",
                        "grant rejected at column 18: '\\' is not allowed: a grant is plain ASCII letters, digits, '_', '$', ',' and '.'"),
                row("empty", "", "grant rejected: it is empty (write privileges ON objects, e.g. SELECT ON ALL TABLES IN SCHEMA public)"),
                row("blank", "  \t", "grant rejected: it is empty (write privileges ON objects, e.g. SELECT ON ALL TABLES IN SCHEMA public)"),
                row("very long", "SELECT ON TABLE " + "t,".repeat(600) + "t", "grant rejected: it is longer than 1000 characters"),
                row("name over 63 bytes", "SELECT ON TABLE " + "t".repeat(64),
                        "grant rejected at column 17: name '" + "t".repeat(40) + "...' is longer than 63 bytes (PostgreSQL would silently cut it)"),
                row("upper-case name", "SELECT ON TABLE Orders",
                        "grant rejected at column 17: name 'Orders' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted"),
                row("name starting with a digit", "SELECT ON TABLE 1t",
                        "grant rejected at column 17: name '1t' is not a plain lower-case name: a letter or '_', then letters, digits, '_' or '$', unquoted"),
                row("whole statement", "GRANT SELECT ON TABLE t",
                        "grant rejected at column 1: write only what follows GRANT, e.g. SELECT ON ALL TABLES IN SCHEMA public"),
                row("unknown privilege", "SUPERUSER ON DATABASE d",
                        "grant rejected at column 1: 'SUPERUSER' is not a privilege Stint grants (allowed: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, USAGE, EXECUTE, CONNECT, TEMPORARY, CREATE)"),
                row("privilege twice", "SELECT, select ON TABLE t", "grant rejected at column 9: SELECT is listed twice"),
                row("privileges without comma", "SELECT INSERT ON TABLE t",
                        "grant rejected at column 8: expected ',' or ON after SELECT, found 'INSERT'"),
                row("no privileges", "ON TABLE t", "grant rejected at column 1: expected a privilege before ON"),
                row("no ON", "SELECT", "grant rejected at column 7: expected ',' or ON after SELECT, found the end"),
                row("no object kind", "SELECT ON orders",
                        "grant rejected at column 11: expected TABLE, SEQUENCE, SCHEMA, DATABASE or ALL TABLES|SEQUENCES|FUNCTIONS IN SCHEMA after ON, found 'orders' (name the kind: ON TABLE orders)"),
                row("one function", "EXECUTE ON FUNCTION f",
                        "grant rejected at column 12: single functions are not supported: use ALL FUNCTIONS IN SCHEMA name"),
                row("unsupported kind", "USAGE ON LANGUAGE plpgsql",
                        "grant rejected at column 10: expected TABLE, SEQUENCE, SCHEMA, DATABASE or ALL TABLES|SEQUENCES|FUNCTIONS IN SCHEMA after ON, found 'LANGUAGE' (name the kind: ON TABLE orders)"),
                row("all routines", "EXECUTE ON ALL ROUTINES IN SCHEMA s",
                        "grant rejected at column 16: expected TABLES, SEQUENCES or FUNCTIONS after ALL, found 'ROUTINES'"),
                row("ALL without IN SCHEMA", "SELECT ON ALL TABLES public",
                        "grant rejected at column 22: expected IN, found 'public' (write ALL TABLES IN SCHEMA name)"),
                row("privilege that does not apply", "EXECUTE ON TABLE t",
                        "grant rejected: EXECUTE does not apply to TABLE (it takes SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER)"),
                row("table privilege on a schema", "SELECT ON SCHEMA s",
                        "grant rejected: SELECT does not apply to SCHEMA (it takes USAGE, CREATE)"),
                row("qualified schema", "USAGE ON SCHEMA a.b", "grant rejected at column 18: SCHEMA takes plain names, not schema.name"),
                row("three-part name", "SELECT ON TABLE a.b.c",
                        "grant rejected at column 20: unexpected '.' after the names (separate names with ',')"),
                row("trailing comma", "SELECT ON TABLE t,", "grant rejected at column 19: expected a name after ',', found the end"),
                row("missing name", "SELECT ON TABLE", "grant rejected at column 16: expected a name after TABLE, found the end"),
                row("name twice", "SELECT ON TABLE t, t", "grant rejected at column 20: 't' is named twice"),
                row("names without comma", "SELECT ON TABLE a b",
                        "grant rejected at column 19: unexpected 'b' after the names (separate names with ',')"),
                row("CASCADE", "SELECT ON TABLE t CASCADE",
                        "grant rejected at column 19: unexpected 'CASCADE' after the names (separate names with ',')"));
    }

    private static Arguments row(String name, String clause, String message) {
        return Arguments.of(name, clause, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void clauseIsRejectedWithWhatToWriteInstead(String name, String clause, String message) {
        assertThatThrownBy(() -> Grants.parse(clause))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void badClauseInAListIsNamedByItsIndex() {
        assertThatThrownBy(() -> Grants.parse(List.of("USAGE ON SCHEMA app", "SELECT ON TABLE t; DROP TABLE t")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grants[1]: grant rejected at column 18: ';' is a statement separator: a grant is one"
                        + " clause (give several as a list)");
    }

    @Test
    void emptyListIsRejected() {
        assertThatThrownBy(() -> Grants.parse(List.<String>of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grants rejected: the list is empty");
    }

    @Test
    void listWithAMissingClauseIsRejected() {
        List<String> clauses = new ArrayList<>();
        clauses.add(null);

        assertThatThrownBy(() -> Grants.parse(clauses))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grants[0]: grant rejected: it is empty (write privileges ON objects, e.g. SELECT ON ALL"
                        + " TABLES IN SCHEMA public)");
    }

    @Test
    void tooLongListIsRejected() {
        List<String> clauses = Collections.nCopies(33, "USAGE ON SCHEMA app");

        assertThatThrownBy(() -> Grants.parse(clauses))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grants rejected: more than 32 clauses");
    }
}
