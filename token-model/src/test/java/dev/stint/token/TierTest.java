package dev.stint.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TierTest {

    private static final String MESSAGE =
            "tier must be 1-32 lower-case letters, digits or '-', starting with a letter";

    static Stream<Arguments> validTiers() {
        return Stream.of(
                arguments("dev"),
                arguments("staging"),
                arguments("prod"),
                arguments("a"),
                arguments("prod-eu-2"),
                arguments("t" + "0".repeat(31)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validTiers")
    void tierAcceptsWellFormedName(String name) {
        assertThat(new Tier(name).name()).isEqualTo(name);
        assertThat(Tier.parseOrNull(name)).isEqualTo(new Tier(name));
        assertThat(new Tier(name).toString()).isEqualTo(name);
    }

    static Stream<Arguments> invalidTiers() {
        return Stream.of(
                arguments("empty", ""),
                arguments("capitalised", "Prod"),
                arguments("upper case", "PROD"),
                arguments("starting with a digit", "2prod"),
                arguments("starting with a dash", "-prod"),
                arguments("underscore", "prod_eu"),
                arguments("dot", "prod.eu"),
                arguments("space", "prod eu"),
                arguments("33 characters", "t" + "0".repeat(32)),
                arguments("SQL injection", "x'; DROP TABLE tasks;--"),
                arguments("path traversal", "../../etc/passwd"),
                arguments("wildcard", "*"),
                arguments("Cyrillic o look-alike", "pr\u043Ed"),
                arguments("dotless i look-alike", "\u0131nt"),
                arguments("Kelvin sign", "\u212Aube"),
                arguments("NUL byte", "prod\u0000"),
                arguments("trailing newline", "prod\n"),
                arguments("trailing space", "prod "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTiers")
    void tierRejectsMalformedName(String description, String name) {
        assertThatThrownBy(() -> new Tier(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(MESSAGE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTiers")
    void parseOrNullGivesNullForMalformedName(String description, String name) {
        assertThat(Tier.parseOrNull(name)).isNull();
    }

    @Test
    void parseOrNullGivesNullForNull() {
        assertThat(Tier.parseOrNull(null)).isNull();
    }

    @Test
    void tierRequiresAName() {
        assertThatThrownBy(() -> new Tier(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name");
    }
}
