package dev.stint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "15m, PT15M", "1h, PT1H", "1h30m, PT1H30M", "2h5m10s, PT2H5M10S", "600s, PT10M"})
    void acceptsHoursMinutesAndSeconds(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "90", "1d", "1.5h", "-5m", "m", "5 m", "1h 30m", "1H"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration like 90s, 15m, 1h or 1h30m");
    }

    @ParameterizedTest
    @CsvSource({"PT4M5S, 4m5s", "PT1H, 1h", "PT30S, 30s", "PT1H0M1S, 1h1s", "PT0S, 0s"})
    void formatsTheWayItParses(Duration duration, String expected) {
        assertThat(Durations.format(duration)).isEqualTo(expected);
    }
}
