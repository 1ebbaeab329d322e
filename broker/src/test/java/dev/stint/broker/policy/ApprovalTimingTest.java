package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The policy's approval_window and reauth_within: defaults, and what does not load. */
class ApprovalTimingTest {

    static final String TIERS = "tiers:\n  prod: { max_ttl: 15m, default_ttl: 5m }\n";

    static PolicyDocument parse(String more) throws PolicyFileException {
        return PolicyFileLoader.parse(TIERS + more, "policy.yaml");
    }

    @Test
    void windowIsTenMinutesAndReauthenticationFiveByDefault() throws Exception {
        assertThat(parse("").approvalTiming()).isEqualTo(new ApprovalTiming(Duration.ofMinutes(10),
                Duration.ofMinutes(5)));
    }

    @Test
    void bothAreRead() throws Exception {
        assertThat(parse("approval_window: 30m\nreauth_within: 2m\n").approvalTiming())
                .isEqualTo(new ApprovalTiming(Duration.ofMinutes(30), Duration.ofMinutes(2)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "approval_window: 25h|policy.yaml:3:18: approval_window: must be at most 1d",
            "reauth_within: 2h|policy.yaml:3:16: reauth_within: must be at most 1h",
            "approval_window: soon|policy.yaml:3:18: approval_window: 'soon' is not a duration",
            "approval_window: 0m|policy.yaml:3:18: approval_window:"})
    void outOfRangeOrMalformedDoesNotLoad(String line, String message) {
        assertThatThrownBy(() -> parse(line + "\n"))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageStartingWith(message);
    }
}
