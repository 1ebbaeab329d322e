package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations are written back in the policy file's own notation. */
class DurationsTest {

    @ParameterizedTest(name = "{0}s -> {1}")
    @CsvSource({
        "0,       0s",
        "1,       1s",
        "59,      59s",
        "60,      1m",
        "90,      1m30s",
        "900,     15m",
        "3600,    1h",
        "3601,    1h1s",
        "5400,    1h30m",
        "86400,   1d",
        "86401,   1d1s",
        "93784,   1d2h3m4s",
        "230400,  2d16h",
        "2592000, 30d",
    })
    void formatsLargestUnitFirstAndOmitsZeroUnits(long seconds, String expected) {
        assertThat(Durations.format(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}ms -> {1}")
    @CsvSource({
        "500,  0s",
        "1500, 1s",
        "61999, 1m1s",
    })
    void dropsFractionsOfASecond(long millis, String expected) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(expected);
    }
}
