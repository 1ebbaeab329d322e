package dev.stint.token;

import static dev.stint.token.TokenFixtures.DEADLINE;
import static dev.stint.token.TokenFixtures.EXPIRES_AT;
import static dev.stint.token.TokenFixtures.ISSUED_AT;
import static dev.stint.token.TokenFixtures.ISSUER;
import static dev.stint.token.TokenFixtures.KEYS;
import static dev.stint.token.TokenFixtures.NOW;
import static dev.stint.token.TokenFixtures.claims;
import static dev.stint.token.TokenFixtures.mint;
import static dev.stint.token.TokenFixtures.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Time boundaries of the pinned verifier (leeway {@link ClaimChecks#DEFAULT_LEEWAY}, 30 s), each
 * probed one second either side. The standard token is issued and valid from 12:00:00, expires at
 * 12:05:00 and belongs to a task whose deadline is 13:00:00.
 */
class TaskTokenVerifierLifetimeTest {

    private static final Duration LEEWAY = ClaimChecks.DEFAULT_LEEWAY;

    private static final String STANDARD = mint(claims().build());
    /** Valid from a minute before it was issued, so {@code iat} alone can be in the future. */
    private static final String EARLY_NBF = mint(claims().notBefore(ISSUED_AT.minusSeconds(60)).build());
    /** Lives exactly until the task deadline. */
    private static final String UNTIL_DEADLINE = mint(claims().expiresAt(DEADLINE.at()).build());

    private static Instant expPlusLeeway() {
        return EXPIRES_AT.plus(LEEWAY);
    }

    private static Instant nbfMinusLeeway() {
        return ISSUED_AT.minus(LEEWAY);
    }

    static Stream<Arguments> rejectedAt() {
        return Stream.of(
                arguments("exp: one second past exp + leeway", STANDARD, expPlusLeeway().plusSeconds(1),
                        "token rejected: claim exp has passed"),
                arguments("exp: exactly at exp + leeway", STANDARD, expPlusLeeway(),
                        "token rejected: claim exp has passed"),
                arguments("exp: a day later", STANDARD, EXPIRES_AT.plus(Duration.ofDays(1)),
                        "token rejected: claim exp has passed"),
                arguments("nbf: one second before nbf - leeway", STANDARD, nbfMinusLeeway().minusSeconds(1),
                        "token rejected: claim nbf is in the future"),
                arguments("iat: one second before iat - leeway", EARLY_NBF, nbfMinusLeeway().minusSeconds(1),
                        "token rejected: claim iat is in the future"),
                arguments("deadline: exactly at the deadline", UNTIL_DEADLINE, DEADLINE.at(),
                        "token rejected: task deadline has passed"),
                arguments("deadline: one second after, though exp + leeway has not passed", UNTIL_DEADLINE,
                        DEADLINE.at().plusSeconds(1), "token rejected: task deadline has passed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedAt")
    void verifierRejectsTokenOutsideItsLifetime(String name, String token, Instant now, String expectedMessage) {
        MutableClock clock = new MutableClock(now);

        assertThatThrownBy(() -> verifier(clock).verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage(expectedMessage);
    }

    static Stream<Arguments> acceptedAt() {
        return Stream.of(
                arguments("exp: one second before exp + leeway", STANDARD, expPlusLeeway().minusSeconds(1)),
                arguments("exp: exactly at exp", STANDARD, EXPIRES_AT),
                arguments("nbf: one second after nbf - leeway", STANDARD, nbfMinusLeeway().plusSeconds(1)),
                arguments("nbf: exactly at nbf - leeway", STANDARD, nbfMinusLeeway()),
                arguments("iat: one second after iat - leeway", EARLY_NBF, nbfMinusLeeway().plusSeconds(1)),
                arguments("deadline: one second before the deadline", UNTIL_DEADLINE, DEADLINE.at().minusSeconds(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedAt")
    void verifierAcceptsTokenInsideItsLifetime(String name, String token, Instant now) throws Exception {
        MutableClock clock = new MutableClock(now);

        assertThat(verifier(clock).verify(token).taskId()).isEqualTo(claims().build().taskId());
    }

    @Test
    void verifierReadsItsClockOnEveryVerification() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        DefaultTaskTokenVerifier verifier = verifier(clock);
        verifier.verify(STANDARD);

        clock.set(expPlusLeeway().plusSeconds(1));

        assertThatThrownBy(() -> verifier.verify(STANDARD))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim exp has passed");
    }

    @Test
    void verifierGrantsNoLeewayOnTheTaskDeadline() throws Exception {
        MutableClock clock = new MutableClock(DEADLINE.at().minusSeconds(1));
        DefaultTaskTokenVerifier verifier = verifier(clock);
        verifier.verify(UNTIL_DEADLINE);

        clock.advance(Duration.ofSeconds(1));

        assertThatThrownBy(() -> verifier.verify(UNTIL_DEADLINE))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: task deadline has passed");
    }

    @Test
    void verifierWithZeroLeewayRejectsTokenAtItsExp() {
        MutableClock clock = new MutableClock(EXPIRES_AT);
        DefaultTaskTokenVerifier strict = new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256), KEYS,
                ISSUER, Duration.ZERO, List.of(), clock);

        assertThatThrownBy(() -> strict.verify(STANDARD))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim exp has passed");
    }

    @Test
    void verifierWithZeroLeewayAcceptsTokenOneSecondBeforeItsExp() throws Exception {
        MutableClock clock = new MutableClock(EXPIRES_AT.minusSeconds(1));
        DefaultTaskTokenVerifier strict = new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256), KEYS,
                ISSUER, Duration.ZERO, List.of(), clock);

        assertThat(strict.verify(STANDARD)).isEqualTo(claims().build());
    }

    @Test
    void verifierWithZeroLeewayRejectsTokenOneSecondBeforeItsNbf() {
        MutableClock clock = new MutableClock(ISSUED_AT.minusSeconds(1));
        DefaultTaskTokenVerifier strict = new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256), KEYS,
                ISSUER, Duration.ZERO, List.of(), clock);

        assertThatThrownBy(() -> strict.verify(STANDARD))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim nbf is in the future");
    }
}
