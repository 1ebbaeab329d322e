package dev.stint.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskDeadlineTest {

    private static final Instant OPENED = Instant.parse("2030-01-01T12:00:00Z");
    private static final TaskDeadline DEADLINE = new TaskDeadline(OPENED.plus(Duration.ofHours(1)));

    @Test
    void afterAddsTheTtlToTheOpeningTime() {
        assertThat(TaskDeadline.after(OPENED, Duration.ofMinutes(30)).at()).isEqualTo(OPENED.plus(Duration.ofMinutes(30)));
    }

    @Test
    void afterRoundsDownToTheSecond() {
        Instant openedMidSecond = OPENED.plusMillis(999);

        assertThat(TaskDeadline.after(openedMidSecond, Duration.ofMinutes(30)).at())
                .isEqualTo(OPENED.plus(Duration.ofMinutes(30)));
    }

    @Test
    void afterRoundsDownAFractionalTtl() {
        assertThat(TaskDeadline.after(OPENED, Duration.ofMillis(10_999)).at()).isEqualTo(OPENED.plusSeconds(10));
    }

    static Stream<Arguments> nonPositiveTtls() {
        return Stream.of(
                arguments("zero", Duration.ZERO),
                arguments("minus one nanosecond", Duration.ofNanos(-1)),
                arguments("minus one second", Duration.ofSeconds(-1)),
                arguments("minus a day", Duration.ofDays(-1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonPositiveTtls")
    void afterRejectsTtlThatIsNotPositive(String name, Duration ttl) {
        assertThatThrownBy(() -> TaskDeadline.after(OPENED, ttl))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be positive");
    }

    @Test
    void deadlineMustBeAWholeSecond() {
        assertThatThrownBy(() -> new TaskDeadline(OPENED.plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline must be a whole second");
    }

    @Test
    void deadlineIsRequired() {
        assertThatThrownBy(() -> new TaskDeadline(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("at");
    }

    @Test
    void deadlineHasNotPassedOneSecondBefore() {
        assertThat(DEADLINE.hasPassed(DEADLINE.at().minusSeconds(1))).isFalse();
    }

    @Test
    void deadlineHasPassedAtTheDeadline() {
        assertThat(DEADLINE.hasPassed(DEADLINE.at())).isTrue();
    }

    @Test
    void deadlineHasPassedOneSecondAfter() {
        assertThat(DEADLINE.hasPassed(DEADLINE.at().plusSeconds(1))).isTrue();
    }

    @Test
    void capKeepsAnEarlierCandidate() {
        assertThat(DEADLINE.cap(DEADLINE.at().minusSeconds(1))).isEqualTo(DEADLINE.at().minusSeconds(1));
    }

    @Test
    void capRoundsAnEarlierCandidateDownToTheSecond() {
        assertThat(DEADLINE.cap(DEADLINE.at().minusMillis(1500))).isEqualTo(DEADLINE.at().minusSeconds(2));
    }

    @Test
    void capReplacesALaterCandidateWithTheDeadline() {
        assertThat(DEADLINE.cap(DEADLINE.at().plusSeconds(1))).isEqualTo(DEADLINE.at());
    }

    @Test
    void capOfTheDeadlineIsTheDeadline() {
        assertThat(DEADLINE.cap(DEADLINE.at())).isEqualTo(DEADLINE.at());
    }

    @Test
    void capNeverReturnsLaterThanTheDeadlineNorAFractionalSecond() {
        for (long millis = -3000; millis <= 3000; millis += 125) {
            Instant capped = DEADLINE.cap(DEADLINE.at().plusMillis(millis));

            assertThat(capped).as("cap(deadline %+d ms)", millis).isBeforeOrEqualTo(DEADLINE.at());
            assertThat(capped.getNano()).as("cap(deadline %+d ms)", millis).isZero();
        }
    }

    @Test
    void capOfAFarFutureCandidateIsTheDeadline() {
        assertThat(DEADLINE.cap(Instant.MAX)).isEqualTo(DEADLINE.at());
    }
}
