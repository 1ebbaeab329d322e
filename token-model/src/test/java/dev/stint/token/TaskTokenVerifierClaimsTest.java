package dev.stint.token;

import static dev.stint.token.TokenFixtures.AUDIENCE;
import static dev.stint.token.TokenFixtures.DEADLINE;
import static dev.stint.token.TokenFixtures.ISSUER;
import static dev.stint.token.TokenFixtures.NOW;
import static dev.stint.token.TokenFixtures.claims;
import static dev.stint.token.TokenFixtures.mint;
import static dev.stint.token.TokenFixtures.payload;
import static dev.stint.token.TokenFixtures.signed;
import static dev.stint.token.TokenFixtures.verifierAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens correctly signed by the broker's own key whose claims must still be refused by a
 * verifier pinned to issuer {@value TokenFixtures#ISSUER}, audience {@value TokenFixtures#AUDIENCE}
 * and tier {@code prod}.
 */
class TaskTokenVerifierClaimsTest {

    private static Arguments forged(String name, Consumer<Map<String, Object>> forgery, String expectedMessage) {
        Map<String, Object> payload = payload();
        forgery.accept(payload);
        return arguments(name, signed(payload), expectedMessage);
    }

    private static void assertRejected(String token, String expectedMessage) {
        assertThatThrownBy(() -> verifierAt(NOW).verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage(expectedMessage);
    }

    static Stream<Arguments> forgedClaims() {
        long deadline = DEADLINE.at().getEpochSecond();
        return Stream.of(
                forged("wrong issuer", p -> p.put("iss", "https://evil.example"),
                        "token rejected: claim iss is not the expected issuer"),
                forged("issuer differing only in case", p -> p.put("iss", ISSUER.toUpperCase()),
                        "token rejected: claim iss is not the expected issuer"),
                forged("issuer with a trailing slash", p -> p.put("iss", ISSUER + "/"),
                        "token rejected: claim iss is not the expected issuer"),
                forged("wrong audience", p -> p.put("aud", "stint-s3"),
                        "token rejected: claim aud does not include stint-db"),
                forged("several audiences, the pinned one absent", p -> p.put("aud", List.of("stint-s3", "stint-k8s")),
                        "token rejected: claim aud does not include stint-db"),
                forged("several audiences, the pinned one among them",
                        p -> p.put("aud", List.of("stint-s3", AUDIENCE)),
                        "token rejected: claim aud must name exactly one audience"),
                forged("empty audience list", p -> p.put("aud", List.of()),
                        "token rejected: claim aud does not include stint-db"),
                forged("other tier", p -> p.put("tier", "staging"),
                        "token rejected: token is for tier staging, this verifier accepts only tier prod"),
                forged("tier differing only in case", p -> p.put("tier", "PROD"),
                        "token rejected: token is for tier (malformed), this verifier accepts only tier prod"),
                forged("tier smuggling a log line", p -> p.put("tier", "dev\nINFO access granted"),
                        "token rejected: token is for tier (malformed), this verifier accepts only tier prod"),
                forged("tier not a string", p -> p.put("tier", 1),
                        "token rejected: claim tier is not a string"),
                forged("exp one second after the deadline", p -> {
                    p.put("exp", deadline + 1);
                }, "token rejected: claim exp is after the task deadline"),
                forged("exp an hour after the deadline", p -> p.put("exp", deadline + 3600),
                        "token rejected: claim exp is after the task deadline"),
                forged("deadline not a number", p -> p.put("deadline", String.valueOf(deadline)),
                        "token rejected: claim deadline is not a number"),
                forged("deadline before exp", p -> p.put("deadline", NOW.getEpochSecond() + 60),
                        "token rejected: claim exp is after the task deadline"),
                forged("subject carrying SQL", p -> p.put("sub", "x'; DROP TABLE tasks;--"),
                        "token rejected: claims malformed: agent_id must be 1-64 letters, digits, '.', '_' or '-', "
                                + "starting with a letter or digit"),
                forged("task_id with path traversal", p -> p.put("task_id", "../../etc/passwd"),
                        "token rejected: claims malformed: task_id must be 1-64 letters, digits, '.', '_' or '-', "
                                + "starting with a letter or digit"),
                forged("scope with a wildcard", p -> p.put("scope", "db:*:read"),
                        "token rejected: claims malformed: scope resource must be 1-64 lower-case letters, digits, "
                                + "'_', '.' or '-'"),
                forged("scope claim empty", p -> p.put("scope", ""),
                        "token rejected: claims malformed: a task token needs at least one scope"),
                forged("exp equal to iat", p -> p.put("exp", p.get("iat")),
                        "token rejected: claims malformed: exp must be after iat"),
                forged("nbf after exp", p -> p.put("nbf", ((Number) p.get("exp")).longValue() + 1),
                        "token rejected: claim nbf is in the future"),
                forged("approvals not a list of strings", p -> p.put("approvals", List.of(1, 2)),
                        "token rejected: claims malformed: The approvals claim is not a list / JSON array of strings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgedClaims")
    void verifierRejectsSignedTokenWithUnacceptableClaims(String name, String token, String expectedMessage) {
        assertRejected(token, expectedMessage);
    }

    static Stream<Arguments> missingClaims() {
        return ClaimChecks.REQUIRED.stream().map(claim -> forged("without " + claim, p -> p.remove(claim),
                "token rejected: required claims missing: " + claim));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingClaims")
    void verifierRejectsTokenMissingARequiredClaim(String name, String token, String expectedMessage) {
        assertRejected(token, expectedMessage);
    }

    @Test
    void verifierNamesEveryMissingClaimInAlphabeticalOrder() {
        Map<String, Object> payload = payload();
        payload.remove("tier");
        payload.remove("aud");
        payload.remove("owner");

        assertRejected(signed(payload), "token rejected: required claims missing: aud, owner, tier");
    }

    @Test
    void verifierRejectsTokenPinnedToOtherTier() {
        String token = mint(claims().tier(new Tier("staging")).build());

        assertRejected(token, "token rejected: token is for tier staging, this verifier accepts only tier prod");
    }

    @Test
    void verifierRejectsTokenForOtherAudience() {
        String token = mint(claims().audience("stint-s3").build());

        assertRejected(token, "token rejected: claim aud does not include stint-db");
    }

    @Test
    void verifierRejectsTokenFromOtherIssuer() {
        String token = mint(claims().issuer("https://other-broker.test").build());

        assertRejected(token, "token rejected: claim iss is not the expected issuer");
    }

    @Test
    void verifierAcceptsExpEqualToDeadline() throws Exception {
        TaskClaims atDeadline = claims().expiresAt(DEADLINE.at()).build();

        assertThat(verifierAt(NOW).verify(mint(atDeadline))).isEqualTo(atDeadline);
    }

    @Test
    void verifierIgnoresUnknownExtraClaims() throws Exception {
        Map<String, Object> payload = payload();
        payload.put("x-note", "ignored");

        assertThat(verifierAt(NOW).verify(signed(payload))).isEqualTo(claims().build());
    }

    @Test
    void verifierRejectsDeadlineOutsideTheRepresentableRange() {
        Map<String, Object> payload = payload();
        payload.put("deadline", Long.MAX_VALUE);

        assertThatThrownBy(() -> verifierAt(NOW).verify(signed(payload)))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageStartingWith("token rejected: claim deadline");
    }

    @Test
    void verifierAcceptsTokenLivingUntilItsDeadlineOneSecondBeforeIt() throws Exception {
        TaskClaims longLived = claims().expiresAt(DEADLINE.at()).build();

        assertThat(verifierAt(DEADLINE.at().minus(Duration.ofSeconds(1))).verify(mint(longLived)))
                .isEqualTo(longLived);
    }
}
