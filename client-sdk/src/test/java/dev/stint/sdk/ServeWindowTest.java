package dev.stint.sdk;

import static dev.stint.sdk.BrokerStub.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tokens are refreshed at the earlier of half-life and margin, leases kept until the later. */
class ServeWindowTest {

    /** A lifetime from {@code T0}, a margin, and how long each kind is served (seconds after T0). */
    record Row(String name, long lifetime, long margin, long tokenServed, long leaseServed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> windows() {
        return Stream.of(
                new Row("long: the margin bounds leases, half-life tokens", 600, 30, 300, 570),
                new Row("exactly two margins: both meet at half-life", 60, 30, 30, 30),
                new Row("short: the margin bounds tokens, half-life leases", 40, 30, 10, 20),
                new Row("shorter than the margin: tokens never cached", 20, 30, -10, 10),
                new Row("no margin", 600, 0, 300, 600));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    void servedUntil(Row row) {
        ServeWindow window = new ServeWindow(Duration.ofSeconds(row.margin()));
        var expiresAt = T0.plusSeconds(row.lifetime());

        assertThat(window.forToken(T0, expiresAt)).isEqualTo(T0.plusSeconds(row.tokenServed()));
        assertThat(window.forLease(T0, expiresAt)).isEqualTo(T0.plusSeconds(row.leaseServed()));
    }

    @Test
    void negativeMarginIsRefused() {
        assertThatThrownBy(() -> new ServeWindow(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("safetyMargin must not be negative");
    }
}
