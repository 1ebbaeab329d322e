package dev.stint.token;

import static dev.stint.token.TokenFixtures.DEADLINE;
import static dev.stint.token.TokenFixtures.EXPIRES_AT;
import static dev.stint.token.TokenFixtures.ISSUED_AT;
import static dev.stint.token.TokenFixtures.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.stint.token.TokenFixtures.ClaimsBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskClaimsTest {

    static Stream<Arguments> impossibleClaims() {
        return Stream.of(
                arguments("exp one second after the deadline",
                        (Consumer<ClaimsBuilder>) c -> c.expiresAt(DEADLINE.at().plusSeconds(1)),
                        "exp must not be after the task deadline"),
                arguments("exp equal to iat",
                        (Consumer<ClaimsBuilder>) c -> c.expiresAt(ISSUED_AT),
                        "exp must be after iat"),
                arguments("exp one second before iat",
                        (Consumer<ClaimsBuilder>) c -> c.expiresAt(ISSUED_AT.minusSeconds(1)),
                        "exp must be after iat"),
                arguments("nbf one second after exp",
                        (Consumer<ClaimsBuilder>) c -> c.notBefore(EXPIRES_AT.plusSeconds(1)),
                        "nbf must not be after exp"),
                arguments("no scopes",
                        (Consumer<ClaimsBuilder>) c -> c.scopes(List.of()),
                        "a task token needs at least one scope"));
    }

    @org.junit.jupiter.api.Test
    void subSecondExpiryRoundsDownSoItNeverPassesTheDeadline() {
        ClaimsBuilder builder = claims();
        builder.expiresAt(DEADLINE.at().plusNanos(999_999_999));

        assertThat(builder.build().expiresAt()).isEqualTo(DEADLINE.at());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impossibleClaims")
    void taskClaimsRefuseImpossibleCombination(String name, Consumer<ClaimsBuilder> change, String expectedMessage) {
        ClaimsBuilder builder = claims();
        change.accept(builder);

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expectedMessage);
    }

    static Stream<Arguments> missingFields() {
        return Stream.of(
                arguments("issuer", (Consumer<ClaimsBuilder>) c -> c.issuer(null)),
                arguments("subject", (Consumer<ClaimsBuilder>) c -> c.subject(null)),
                arguments("audience", (Consumer<ClaimsBuilder>) c -> c.audience(null)),
                arguments("issuedAt", (Consumer<ClaimsBuilder>) c -> c.issuedAt(null)),
                arguments("notBefore", (Consumer<ClaimsBuilder>) c -> c.notBefore(null)),
                arguments("expiresAt", (Consumer<ClaimsBuilder>) c -> c.expiresAt(null)),
                arguments("jwtId", (Consumer<ClaimsBuilder>) c -> c.jwtId(null)),
                arguments("taskId", (Consumer<ClaimsBuilder>) c -> c.taskId(null)),
                arguments("tier", (Consumer<ClaimsBuilder>) c -> c.tier(null)),
                arguments("scopes", (Consumer<ClaimsBuilder>) c -> c.scopes((List<Scope>) null)),
                arguments("deadline", (Consumer<ClaimsBuilder>) c -> c.deadline(null)),
                arguments("owner", (Consumer<ClaimsBuilder>) c -> c.owner(null)),
                arguments("approvals", (Consumer<ClaimsBuilder>) c -> c.approvals(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingFields")
    void taskClaimsRequireEveryField(String field, Consumer<ClaimsBuilder> change) {
        ClaimsBuilder builder = claims();
        change.accept(builder);

        assertThatThrownBy(builder::build)
                .isInstanceOf(NullPointerException.class)
                .hasMessage(field);
    }

    @Test
    void taskClaimsAcceptExpEqualToDeadline() {
        assertThat(claims().expiresAt(DEADLINE.at()).build().expiresAt()).isEqualTo(DEADLINE.at());
    }

    @Test
    void taskClaimsAcceptExpOneSecondAfterIat() {
        assertThat(claims().expiresAt(ISSUED_AT.plusSeconds(1)).build().expiresAt())
                .isEqualTo(ISSUED_AT.plusSeconds(1));
    }

    @Test
    void taskClaimsAcceptNbfEqualToExp() {
        assertThat(claims().notBefore(EXPIRES_AT).build().notBefore()).isEqualTo(EXPIRES_AT);
    }

    @Test
    void taskClaimsAcceptNbfBeforeIat() {
        assertThat(claims().notBefore(ISSUED_AT.minusSeconds(60)).build().notBefore())
                .isEqualTo(ISSUED_AT.minusSeconds(60));
    }

    @Test
    void taskClaimsKeepScopesSortedAndWithoutRepeats() {
        TaskClaims claims = claims().scopes("s3:b:read", "db:a:write", "db:a:read", "s3:b:read").build();

        assertThat(claims.scopes()).extracting(Scope::toString)
                .containsExactly("db:a:read", "db:a:write", "s3:b:read");
    }

    @Test
    void taskClaimsAreNotChangedByLaterChangesToTheGivenLists() {
        List<Scope> scopes = new ArrayList<>(List.of(Scope.parse("db:a:read")));
        List<String> approvals = new ArrayList<>(List.of("apr_1"));
        TaskClaims claims = claims().scopes(scopes).approvals(approvals).build();

        scopes.add(Scope.parse("db:a:write"));
        approvals.add("apr_2");

        assertThat(claims.scopes()).hasSize(1);
        assertThat(claims.approvals()).containsExactly("apr_1");
    }

    @Test
    void taskClaimsListsAreUnmodifiable() {
        TaskClaims claims = claims().approvals(List.of("apr_1")).build();

        assertThatThrownBy(() -> claims.scopes().add(Scope.parse("db:a:write")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> claims.approvals().add("apr_2"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void claimsSetOmitsApprovalsWhenEmpty() {
        assertThat(claims().build().toClaimsSet().getClaim(TaskClaims.APPROVALS)).isNull();
    }

    @Test
    void claimsSetHoldsTimesAsWholeSeconds() {
        var set = claims().build().toClaimsSet().toJSONObject();

        assertThat(set).containsEntry("iat", ISSUED_AT.getEpochSecond())
                .containsEntry("exp", EXPIRES_AT.getEpochSecond())
                .containsEntry("deadline", DEADLINE.at().getEpochSecond());
    }
}
