package dev.stint.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScopePatternTest {

    private static final String FORM =
            "scope pattern must have the form <kind>:<resource>:<action>, '*' matching one segment";
    private static final String KIND = "scope kind must be 1-64 lower-case letters, digits, '_', '.' or '-'";
    private static final String RESOURCE = "scope resource must be 1-64 lower-case letters, digits, '_', '.' or '-'";
    private static final String ACTION = "scope action must be 1-64 lower-case letters, digits, '_', '.' or '-'";

    static Stream<Arguments> matching() {
        return Stream.of(
                arguments("db:*:read", "db:orders:read", true),
                arguments("db:*:read", "db:customers:read", true),
                arguments("db:*:read", "db:a.b:read", true),
                arguments("db:*:read", "db:orders:write", false),
                arguments("db:*:read", "s3:orders:read", false),
                arguments("db:*:read", "dbx:orders:read", false),
                arguments("db:orders:*", "db:orders:write", true),
                arguments("db:orders:*", "db:orders2:write", false),
                arguments("*:orders:read", "s3:orders:read", true),
                arguments("*:*:*", "k8s:ns:delete", true),
                arguments("db:orders:read", "db:orders:read", true),
                arguments("db:orders:read", "db:orders:readwrite", false),
                arguments("db:orders:read", "db:order:read", false));
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @MethodSource("matching")
    void patternMatchesWholeSegmentsOnly(String pattern, String scope, boolean expected) {
        assertThat(ScopePattern.parse(pattern).matches(Scope.parse(scope))).isEqualTo(expected);
    }

    @Test
    void starCannotSpanTwoSegmentsBecauseNoScopeHasFour() {
        assertThatThrownBy(() -> Scope.parse("db:a:b:read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scope must have the form <kind>:<resource>:<action>");
        assertThatThrownBy(() -> new Scope("db", "a:b", "read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(RESOURCE);
    }

    static Stream<Arguments> validPatterns() {
        return Stream.of(
                arguments("db:*:read"),
                arguments("*:*:*"),
                arguments("db:orders:read"),
                arguments("*:orders:*"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validPatterns")
    void patternParsesAndPrintsBack(String text) {
        assertThat(ScopePattern.parse(text).toString()).isEqualTo(text);
    }

    static Stream<Arguments> invalidPatterns() {
        return Stream.of(
                arguments("partial wildcard at the end", "db:ord*:read", RESOURCE),
                arguments("partial wildcard at the start", "db:*orders:read", RESOURCE),
                arguments("double star", "db:**:read", RESOURCE),
                arguments("star spanning segments", "db:*:*:read", FORM),
                arguments("two segments", "db:*", FORM),
                arguments("a lone star", "*", FORM),
                arguments("empty", "", FORM),
                arguments("empty segment", "db::read", RESOURCE),
                arguments("question mark", "db:?:read", RESOURCE),
                arguments("regex", "db:.*:read", RESOURCE),
                arguments("SQL LIKE wildcard", "db:%:read", RESOURCE),
                arguments("character class", "db:[a-z]*:read", RESOURCE),
                arguments("SQL injection", "db:x'; DROP TABLE tasks;--:*", RESOURCE),
                arguments("path traversal", "file:../../etc/passwd:*", RESOURCE),
                arguments("star with a trailing space", "db:* :read", RESOURCE),
                arguments("fullwidth asterisk look-alike", "db:\uFF0A:read", RESOURCE),
                arguments("upper-case kind", "DB:*:read", KIND),
                arguments("NUL after star", "db:*\u0000:read", RESOURCE),
                arguments("newline in action", "db:*:read\n", ACTION),
                arguments("65-character action", "db:*:" + "a".repeat(65), ACTION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPatterns")
    void patternRejectsMalformedText(String name, String text, String expectedMessage) {
        assertThatThrownBy(() -> ScopePattern.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expectedMessage);
    }

    @Test
    void patternParseRequiresText() {
        assertThatThrownBy(() -> ScopePattern.parse(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("text");
    }
}
