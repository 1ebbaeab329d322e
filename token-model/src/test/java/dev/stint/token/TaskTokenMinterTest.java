package dev.stint.token;

import static dev.stint.token.TokenFixtures.AUDIENCE;
import static dev.stint.token.TokenFixtures.DEADLINE;
import static dev.stint.token.TokenFixtures.EXPIRES_AT;
import static dev.stint.token.TokenFixtures.ISSUED_AT;
import static dev.stint.token.TokenFixtures.ISSUER;
import static dev.stint.token.TokenFixtures.KEY;
import static dev.stint.token.TokenFixtures.NOW;
import static dev.stint.token.TokenFixtures.claims;
import static dev.stint.token.TokenFixtures.mint;
import static dev.stint.token.TokenFixtures.verifierAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.token.keys.KeySet;
import dev.stint.token.keys.SigningKey;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class TaskTokenMinterTest {

    private static SignedJWT parse(String token) throws Exception {
        return SignedJWT.parse(token);
    }

    private static Map<String, Object> payloadOf(String token) throws Exception {
        return parse(token).getPayload().toJSONObject();
    }

    @Test
    void mintedTokenHeaderIsEs256() throws Exception {
        JWSHeader header = parse(mint(claims().build())).getHeader();

        assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    }

    @Test
    void mintedTokenHeaderHasExplicitStintType() throws Exception {
        JWSHeader header = parse(mint(claims().build())).getHeader();

        assertThat(header.getType().getType()).isEqualTo("stint+jwt");
        assertThat(SignedTaskTokenMinter.TYPE.getType()).isEqualTo("stint+jwt");
    }

    @Test
    void mintedTokenHeaderNamesTheSigningKeysKid() throws Exception {
        JWSHeader header = parse(mint(claims().build())).getHeader();

        assertThat(header.getKeyID()).isEqualTo(KEY.kid());
    }

    @Test
    void mintedTokenHeaderCarriesNothingButAlgTypAndKid() throws Exception {
        JWSHeader header = parse(mint(claims().build())).getHeader();

        assertThat(header.toJSONObject()).containsOnlyKeys("alg", "typ", "kid");
    }

    @Test
    void mintedTokenCarriesTheRegisteredClaims() throws Exception {
        Map<String, Object> payload = payloadOf(mint(claims().build()));

        assertThat(payload)
                .containsEntry("iss", ISSUER)
                .containsEntry("sub", "ci-runner-7")
                .containsEntry("aud", AUDIENCE)
                .containsEntry("iat", ISSUED_AT.getEpochSecond())
                .containsEntry("nbf", ISSUED_AT.getEpochSecond())
                .containsEntry("exp", EXPIRES_AT.getEpochSecond())
                .containsEntry("jti", "jti-0001");
    }

    @Test
    void mintedTokenCarriesTheTaskClaims() throws Exception {
        Map<String, Object> payload = payloadOf(mint(claims().build()));

        assertThat(payload)
                .containsEntry("task_id", "tsk_0123456789abcdef01234567")
                .containsEntry("tier", "prod")
                .containsEntry("scope", "db:orders:read")
                .containsEntry("owner", "alice@example.com");
    }

    @Test
    void mintedDeadlineIsEpochSecondsAsANumber() throws Exception {
        Map<String, Object> payload = payloadOf(mint(claims().build()));

        assertThat(payload.get("deadline")).isInstanceOf(Number.class);
        assertThat(((Number) payload.get("deadline")).longValue()).isEqualTo(DEADLINE.at().getEpochSecond());
    }

    @Test
    void mintedScopeClaimIsSpaceSeparatedSortedAndWithoutRepeats() throws Exception {
        String token = mint(claims()
                .scopes("s3:reports:read", "db:orders:write", "db:orders:read", "s3:reports:read")
                .build());

        assertThat(payloadOf(token)).containsEntry("scope", "db:orders:read db:orders:write s3:reports:read");
    }

    @Test
    void mintedTokenOmitsApprovalsWhenThereAreNone() throws Exception {
        Map<String, Object> payload = payloadOf(mint(claims().approvals(List.of()).build()));

        assertThat(payload).doesNotContainKey("approvals");
    }

    @Test
    void mintedTokenCarriesApprovalsWhenThereAreSome() throws Exception {
        Map<String, Object> payload = payloadOf(mint(claims().approvals(List.of("apr_1", "apr_2")).build()));

        assertThat(payload.get("approvals")).asInstanceOf(
                InstanceOfAssertFactories.LIST).containsExactly("apr_1", "apr_2");
    }

    @Test
    void mintedTokenCarriesNoClaimsBeyondTheSpecifiedOnes() throws Exception {
        Map<String, Object> payload = payloadOf(mint(claims().approvals(List.of("apr_1")).build()));

        assertThat(payload).containsOnlyKeys("iss", "sub", "aud", "iat", "nbf", "exp", "jti",
                "task_id", "tier", "scope", "deadline", "owner", "approvals");
    }

    @Test
    void mintedSignatureVerifiesUnderTheSigningKeysPublicPart() throws Exception {
        SignedJWT jwt = parse(mint(claims().build()));

        assertThat(jwt.verify(new ECDSAVerifier(KEY.publicJwk()))).isTrue();
    }

    @Test
    void mintedTokenRoundTripsThroughThePinnedVerifier() throws Exception {
        TaskClaims original = claims().build();

        TaskClaims verified = verifierAt(NOW).verify(mint(original));

        assertThat(verified).isEqualTo(original);
    }

    @Test
    void mintedTokenWithApprovalsAndManyScopesRoundTrips() throws Exception {
        TaskClaims original = claims()
                .scopes("db:orders:write", "db:orders:read", "s3:invoices:read")
                .approvals(List.of("apr_9", "apr_3"))
                .build();

        TaskClaims verified = verifierAt(NOW).verify(mint(original));

        assertThat(verified).isEqualTo(original);
        assertThat(verified.approvals()).containsExactly("apr_9", "apr_3");
    }

    @Test
    void eachMinterSignsUnderItsOwnKid() throws Exception {
        SigningKey other = SigningKey.generate(ISSUED_AT);

        String token = mint(other, claims().build());

        assertThat(parse(token).getHeader().getKeyID()).isEqualTo(other.kid()).isNotEqualTo(KEY.kid());
        assertThat(DefaultTaskTokenVerifier.pinned(ISSUER, AUDIENCE, TokenFixtures.TIER,
                new KeySet(other, List.of()), Clock.fixed(NOW, ZoneOffset.UTC)).verify(token))
                .isEqualTo(claims().build());
    }

    @Test
    void mintedTokenStaysWellUnderTheVerifierSizeLimit() {
        List<Scope> scopes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            scopes.add(Scope.parse("db:table-" + i + ":read"));
        }
        String token = mint(claims().scopes(scopes).approvals(List.of("apr_1", "apr_2", "apr_3")).build());

        assertThat(token.length()).isLessThan(DefaultTaskTokenVerifier.MAX_TOKEN_LENGTH / 2);
    }

    @Test
    void minterRequiresAKey() {
        assertThatThrownBy(() -> new SignedTaskTokenMinter(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
    }

    @Test
    void mintedTokenWithSubSecondTimesRoundTripsToEqualClaims() throws Exception {
        TaskClaims original = claims()
                .issuedAt(ISSUED_AT.plusMillis(250))
                .notBefore(ISSUED_AT.plusMillis(250))
                .build();

        TaskClaims verified = verifierAt(NOW).verify(mint(original));

        assertThat(verified).isEqualTo(original);
    }

    @Test
    void claimsThatRoundToNoLifetimeAreRefusedBeforeMinting() {
        // iat 12:00:00.200 and exp 12:00:00.700 are both 12:00:00 as JWT whole seconds.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> claims()
                        .issuedAt(ISSUED_AT.plusMillis(200))
                        .notBefore(ISSUED_AT.plusMillis(200))
                        .expiresAt(ISSUED_AT.plusMillis(700))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("exp must be after iat");
    }
}
