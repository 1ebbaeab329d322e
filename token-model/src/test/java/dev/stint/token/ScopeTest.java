package dev.stint.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScopeTest {

    private static final String FORM = "scope must have the form <kind>:<resource>:<action>";
    private static final String KIND = "scope kind must be 1-64 lower-case letters, digits, '_', '.' or '-'";
    private static final String RESOURCE = "scope resource must be 1-64 lower-case letters, digits, '_', '.' or '-'";
    private static final String ACTION = "scope action must be 1-64 lower-case letters, digits, '_', '.' or '-'";

    static Stream<Arguments> validScopes() {
        return Stream.of(
                arguments("plain", "db:orders:read", "db", "orders", "read"),
                arguments("digits, dots, dashes and underscores", "s3:bucket.name-1_x:put-object", "s3",
                        "bucket.name-1_x", "put-object"),
                arguments("single characters", "a:b:c", "a", "b", "c"),
                arguments("starting with a digit", "k8s:0ns:get", "k8s", "0ns", "get"),
                arguments("64-character resource", "db:" + "r".repeat(64) + ":read", "db", "r".repeat(64), "read"),
                arguments("dots inside a segment", "db:a..b:read", "db", "a..b", "read"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validScopes")
    void scopeParsesWellFormedText(String name, String text, String kind, String resource, String action) {
        Scope scope = Scope.parse(text);

        assertThat(scope).isEqualTo(new Scope(kind, resource, action));
        assertThat(scope.toString()).isEqualTo(text);
    }

    static Stream<Arguments> invalidScopes() {
        return Stream.of(
                arguments("empty", "", FORM),
                arguments("two segments", "db:orders", FORM),
                arguments("four segments", "db:a:b:read", FORM),
                arguments("no separator", "dbordersread", FORM),
                arguments("fullwidth colons (look-alike)", "db\uFF1Aorders\uFF1Aread", FORM),
                arguments("empty kind", ":orders:read", KIND),
                arguments("empty resource", "db::read", RESOURCE),
                arguments("empty action", "db:orders:", ACTION),
                arguments("upper case", "DB:orders:read", KIND),
                arguments("wildcard resource", "db:*:read", RESOURCE),
                arguments("wildcard action", "db:orders:*", ACTION),
                arguments("partial wildcard", "db:ord*:read", RESOURCE),
                arguments("regex in resource", "db:.*:read", RESOURCE),
                arguments("SQL LIKE wildcard", "db:%:read", RESOURCE),
                arguments("SQL injection", "db:x'; DROP TABLE tasks;--:read", RESOURCE),
                arguments("path traversal", "file:../../etc/passwd:read", RESOURCE),
                arguments("slash", "db:orders/2024:read", RESOURCE),
                arguments("segment starting with a dot", "db:.orders:read", RESOURCE),
                arguments("segment starting with a dash", "db:-orders:read", RESOURCE),
                arguments("segment starting with an underscore", "db:_orders:read", RESOURCE),
                arguments("Cyrillic o look-alike", "db:\u043Erders:read", RESOURCE),
                arguments("Greek omicron look-alike", "db:\u03BFrders:read", RESOURCE),
                arguments("dotless i look-alike", "db:orders:wr\u0131te", ACTION),
                arguments("zero-width space", "db:orders\u200B:read", RESOURCE),
                arguments("right-to-left override", "db:\u202Esredro:read", RESOURCE),
                arguments("NUL byte", "db:orders\u0000:read", RESOURCE),
                arguments("trailing newline", "db:orders:read\n", ACTION),
                arguments("CRLF injection", "db:orders:read\r\nadmin", ACTION),
                arguments("trailing space", "db:orders:read ", ACTION),
                arguments("leading space", " db:orders:read", KIND),
                arguments("tab inside", "db:or\tders:read", RESOURCE),
                arguments("65-character resource", "db:" + "r".repeat(65) + ":read", RESOURCE),
                arguments("65-character kind", "k".repeat(65) + ":orders:read", KIND),
                arguments("65-character action", "db:orders:" + "a".repeat(65), ACTION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidScopes")
    void scopeRejectsMalformedText(String name, String text, String expectedMessage) {
        assertThatThrownBy(() -> Scope.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expectedMessage);
    }

    @Test
    void scopeParseRequiresText() {
        assertThatThrownBy(() -> Scope.parse(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("text");
    }

    @Test
    void scopeConstructorRejectsNullSegment() {
        assertThatThrownBy(() -> new Scope("db", null, "read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(RESOURCE);
    }

    @Test
    void scopeConstructorRejectsSegmentContainingASeparator() {
        assertThatThrownBy(() -> new Scope("db", "a:b", "read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(RESOURCE);
    }

    @Test
    void scopeListIsSortedAndWithoutRepeats() {
        assertThat(Scope.parseList("s3:b:read db:a:write db:a:read s3:b:read"))
                .extracting(Scope::toString)
                .containsExactly("db:a:read", "db:a:write", "s3:b:read");
    }

    @Test
    void scopeListToleratesRunsOfSpacesAndSurroundingSpaces() {
        assertThat(Scope.parseList("  db:a:read    db:a:write  "))
                .extracting(Scope::toString)
                .containsExactly("db:a:read", "db:a:write");
    }

    @Test
    void scopeListOfBlankTextIsEmpty() {
        assertThat(Scope.parseList("   ")).isEmpty();
    }

    @Test
    void scopeListRejectsAWildcardAmongValidScopes() {
        assertThatThrownBy(() -> Scope.parseList("db:a:read db:*:read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(RESOURCE);
    }

    @Test
    void scopeListRejectsTabSeparators() {
        assertThatThrownBy(() -> Scope.parseList("db:a:read\tdb:b:read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(FORM);
    }

    @Test
    void joinIsSpaceSeparatedSortedAndWithoutRepeats() {
        List<Scope> scopes = List.of(Scope.parse("s3:b:read"), Scope.parse("db:a:read"), Scope.parse("s3:b:read"));

        assertThat(Scope.join(scopes)).isEqualTo("db:a:read s3:b:read");
    }

    @Test
    void joinThenParseListRoundTrips() {
        List<Scope> scopes = Scope.canonical(List.of(Scope.parse("s3:b:read"), Scope.parse("db:a:read")));

        assertThat(Scope.parseList(Scope.join(scopes))).isEqualTo(scopes);
    }

    @Test
    void canonicalIsImmutable() {
        List<Scope> canonical = Scope.canonical(List.of(Scope.parse("db:a:read")));

        assertThatThrownBy(() -> canonical.add(Scope.parse("db:a:write")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void scopesOrderByTheirText() {
        assertThat(Scope.parse("db:a:read")).isLessThan(Scope.parse("db:a:write"));
        assertThat(Scope.parse("db:b:read")).isGreaterThan(Scope.parse("db:a:write"));
        assertThat(Scope.parse("db:a:read").compareTo(Scope.parse("db:a:read"))).isZero();
    }
}
