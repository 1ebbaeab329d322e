package dev.stint.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each standard claim rule on its own, against hand-made claim sets. */
class ClaimChecksTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

    private static JWTClaimsSet scope(Object value) {
        return new JWTClaimsSet.Builder().claim(TaskClaims.SCOPE, value).build();
    }

    private static List<Scope> scopes(String... values) {
        return Stream.of(values).map(Scope::parse).toList();
    }

    // ---- requiredScopes --------------------------------------------------------------------

    @Test
    void requiredScopesAcceptsTokenGrantingAllOfThem() {
        ClaimCheck check = ClaimChecks.requiredScopes(scopes("db:orders:read", "s3:reports:read"));

        assertThatCode(() -> check.check(scope("s3:reports:read db:orders:write db:orders:read"), NOW))
                .doesNotThrowAnyException();
    }

    @Test
    void requiredScopesAcceptsAnythingWhenNothingIsRequired() {
        ClaimCheck check = ClaimChecks.requiredScopes(List.of());

        assertThatCode(() -> check.check(scope("db:orders:read"), NOW)).doesNotThrowAnyException();
    }

    static Stream<Arguments> scopeRejections() {
        return Stream.of(
                arguments("one scope missing", scope("db:orders:read"),
                        "token rejected: claim scope lacks db:orders:write"),
                arguments("every missing scope named, sorted", scope("s3:reports:read"),
                        "token rejected: claim scope lacks db:orders:read db:orders:write"),
                arguments("a pattern-looking grant does not cover a concrete scope", scope("db:*:read"),
                        "token rejected: claim scope malformed: scope resource must be 1-64 lower-case letters, "
                                + "digits, '_', '.' or '-'"),
                arguments("prefix of a scope is not the scope", scope("db:orders:rea"),
                        "token rejected: claim scope lacks db:orders:read db:orders:write"),
                arguments("comma separated list", scope("db:orders:read,db:orders:write"),
                        "token rejected: claim scope malformed: scope must have the form <kind>:<resource>:<action>"),
                arguments("scope claim missing", new JWTClaimsSet.Builder().build(),
                        "token rejected: claim scope is missing"),
                arguments("scope claim not a string", scope(List.of("db:orders:read", "db:orders:write")),
                        "token rejected: claim scope is not a string"),
                arguments("scope claim empty", scope(""),
                        "token rejected: claim scope lacks db:orders:read db:orders:write"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scopeRejections")
    void requiredScopesRejects(String name, JWTClaimsSet claims, String expectedMessage) {
        ClaimCheck check = ClaimChecks.requiredScopes(scopes("db:orders:write", "db:orders:read"));

        assertThatThrownBy(() -> check.check(claims, NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage(expectedMessage);
    }

    // ---- lifetime --------------------------------------------------------------------------

    static Stream<Arguments> invalidLeeways() {
        return Stream.of(
                arguments("one second over the maximum", ClaimChecks.MAX_LEEWAY.plusSeconds(1)),
                arguments("one nanosecond over the maximum", ClaimChecks.MAX_LEEWAY.plusNanos(1)),
                arguments("an hour", Duration.ofHours(1)),
                arguments("minus one second", Duration.ofSeconds(-1)),
                arguments("minus one nanosecond", Duration.ofNanos(-1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidLeeways")
    void lifetimeRejectsLeewayOutsideZeroToTwoMinutes(String name, Duration leeway) {
        assertThatThrownBy(() -> ClaimChecks.lifetime(leeway))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leeway must be between 0 and PT2M");
    }

    static Stream<Arguments> validLeeways() {
        return Stream.of(
                arguments("zero", Duration.ZERO),
                arguments("the default", ClaimChecks.DEFAULT_LEEWAY),
                arguments("exactly the maximum", ClaimChecks.MAX_LEEWAY),
                arguments("one second under the maximum", ClaimChecks.MAX_LEEWAY.minusSeconds(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validLeeways")
    void lifetimeAcceptsLeewayFromZeroToTwoMinutes(String name, Duration leeway) {
        assertThat(ClaimChecks.lifetime(leeway)).isNotNull();
    }

    @Test
    void maximumLeewayIsTwoMinutes() {
        assertThat(ClaimChecks.MAX_LEEWAY).isEqualTo(Duration.ofMinutes(2));
        assertThat(ClaimChecks.DEFAULT_LEEWAY).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void lifetimeRequiresALeeway() {
        assertThatThrownBy(() -> ClaimChecks.lifetime(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void lifetimeRejectsTokenWithoutExp() {
        assertThatThrownBy(() -> ClaimChecks.lifetime(Duration.ZERO).check(new JWTClaimsSet.Builder().build(), NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim exp has passed");
    }

    @Test
    void lifetimeWithMaximumLeewayAcceptsTokenOneSecondInsideIt() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(Date.from(NOW)).build();

        assertThatCode(() -> ClaimChecks.lifetime(ClaimChecks.MAX_LEEWAY)
                .check(claims, NOW.plus(ClaimChecks.MAX_LEEWAY).minusSeconds(1)))
                .doesNotThrowAnyException();
    }

    @Test
    void lifetimeWithMaximumLeewayRejectsTokenOneSecondOutsideIt() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(Date.from(NOW)).build();

        assertThatThrownBy(() -> ClaimChecks.lifetime(ClaimChecks.MAX_LEEWAY)
                .check(claims, NOW.plus(ClaimChecks.MAX_LEEWAY).plusSeconds(1)))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim exp has passed");
    }

    // ---- the others ------------------------------------------------------------------------

    @Test
    void requiredClaimsNamesEveryMissingClaimSorted() {
        assertThatThrownBy(() -> ClaimChecks.requiredClaims().check(new JWTClaimsSet.Builder().build(), NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: required claims missing: aud, deadline, exp, iat, iss, jti, nbf, "
                        + "owner, scope, sub, task_id, tier");
    }

    @Test
    void requiredClaimsDoesNotRequireApprovals() {
        assertThat(ClaimChecks.REQUIRED).doesNotContain(TaskClaims.APPROVALS);
    }

    @Test
    void audienceAcceptsTokenWhoseAudienceListContainsIt() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().audience(List.of("a", "stint-db")).build();

        assertThatCode(() -> ClaimChecks.audience("stint-db").check(claims, NOW)).doesNotThrowAnyException();
    }

    @Test
    void audienceRejectsTokenWithoutAudience() {
        assertThatThrownBy(() -> ClaimChecks.audience("stint-db").check(new JWTClaimsSet.Builder().build(), NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim aud does not include stint-db");
    }

    @Test
    void issuerRejectsTokenWithoutIssuer() {
        assertThatThrownBy(() -> ClaimChecks.issuer("https://broker").check(new JWTClaimsSet.Builder().build(), NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim iss is not the expected issuer");
    }

    @Test
    void tierRejectsTokenWithoutTier() {
        assertThatThrownBy(() -> ClaimChecks.tier(new Tier("prod")).check(new JWTClaimsSet.Builder().build(), NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim tier is missing");
    }

    @Test
    void expiryWithinDeadlineRejectsTokenWithoutDeadline() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(Date.from(NOW)).build();

        assertThatThrownBy(() -> ClaimChecks.expiryWithinDeadline().check(claims, NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim deadline is missing");
    }

    @Test
    void expiryWithinDeadlineRejectsTokenWithoutExp() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim(TaskClaims.DEADLINE, NOW.plusSeconds(60).getEpochSecond()).build();

        assertThatThrownBy(() -> ClaimChecks.expiryWithinDeadline().check(claims, NOW))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim exp is after the task deadline");
    }
}
