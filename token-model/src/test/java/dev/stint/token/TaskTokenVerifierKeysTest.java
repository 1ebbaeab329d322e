package dev.stint.token;

import static dev.stint.token.TokenFixtures.AUDIENCE;
import static dev.stint.token.TokenFixtures.ISSUED_AT;
import static dev.stint.token.TokenFixtures.ISSUER;
import static dev.stint.token.TokenFixtures.KEY;
import static dev.stint.token.TokenFixtures.KEYS;
import static dev.stint.token.TokenFixtures.NOW;
import static dev.stint.token.TokenFixtures.TIER;
import static dev.stint.token.TokenFixtures.claims;
import static dev.stint.token.TokenFixtures.mint;
import static dev.stint.token.TokenFixtures.validToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import dev.stint.token.keys.KeySet;
import dev.stint.token.keys.SigningKey;
import dev.stint.token.keys.VerificationKeySource;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which keys the verifier trusts: rotation, key sources that fail, and its own construction. */
class TaskTokenVerifierKeysTest {

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static DefaultTaskTokenVerifier pinnedTo(VerificationKeySource keys) {
        return DefaultTaskTokenVerifier.pinned(ISSUER, AUDIENCE, TIER, keys, CLOCK);
    }

    @Test
    void retiredKeyStillInTheKeySetVerifiesItsTokens() throws Exception {
        SigningKey successor = SigningKey.generate(ISSUED_AT);
        KeySet rotated = new KeySet(successor, List.of(KEY.publicJwk()));

        assertThat(pinnedTo(rotated).verify(validToken())).isEqualTo(claims().build());
    }

    @Test
    void activeKeyAfterRotationVerifiesTheNewTokens() throws Exception {
        SigningKey successor = SigningKey.generate(ISSUED_AT);
        KeySet rotated = new KeySet(successor, List.of(KEY.publicJwk()));

        assertThat(pinnedTo(rotated).verify(mint(successor, claims().build()))).isEqualTo(claims().build());
    }

    @Test
    void keyRemovedFromTheKeySetNoLongerVerifies() {
        SigningKey successor = SigningKey.generate(ISSUED_AT);
        KeySet withoutOldKey = new KeySet(successor, List.of());

        assertThatThrownBy(() -> pinnedTo(withoutOldKey).verify(validToken()))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: signing key " + KEY.kid() + " is not known");
    }

    @Test
    void keySourceFailurePropagatesAsKeyUnavailableNotAsRejection() {
        VerificationKeySource down = kid -> {
            throw new KeyUnavailableException("key store unreachable");
        };

        assertThatThrownBy(() -> pinnedTo(down).verify(validToken()))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessage("key store unreachable");
    }

    @Test
    void verifierRejectsForgedHeaderBeforeAskingForKeys() {
        AtomicInteger lookups = new AtomicInteger();
        VerificationKeySource counting = kid -> {
            lookups.incrementAndGet();
            return KEYS.keysFor(kid);
        };

        assertThatThrownBy(() -> pinnedTo(counting).verify("eyJhbGciOiJub25lIn0.e30."))
                .isInstanceOf(TokenRejectedException.class);
        assertThat(lookups).hasValue(0);
    }

    @Test
    void verifierAsksForTheKeyByTheTokensKid() throws Exception {
        List<String> asked = new ArrayList<>();
        VerificationKeySource recording = kid -> {
            asked.add(kid);
            return KEYS.keysFor(kid);
        };

        pinnedTo(recording).verify(validToken());

        assertThat(asked).containsExactly(KEY.kid());
    }

    @Test
    void verifierTriesEveryCandidateKeyForTheKid() throws Exception {
        JWK impostor = TokenFixtures.ecKey(Curve.P_256, KEY.kid()).toPublicJWK();
        VerificationKeySource twoCandidates = kid -> List.of(impostor, KEY.publicJwk());

        assertThat(pinnedTo(twoCandidates).verify(validToken())).isEqualTo(claims().build());
    }

    @Test
    void verifierNeverUsesAPrivateKeyOfferedByTheKeySource() {
        VerificationKeySource leaky = kid -> List.of(KEY.privateJwk());

        assertThatThrownBy(() -> pinnedTo(leaky).verify(validToken()))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: invalid signature");
    }

    @Test
    void verifierSkipsCandidateKeyOnACurveOtherThanTheAlgorithms() throws Exception {
        var p384 = TokenFixtures.ecKey(Curve.P_384, KEY.kid());
        String es384 = TokenFixtures.sign(new JWSHeader.Builder(JWSAlgorithm.ES384)
                .type(SignedTaskTokenMinter.TYPE).keyID(KEY.kid()).build(),
                TokenFixtures.payload(), TokenFixtures.signer(p384));
        DefaultTaskTokenVerifier lenient = new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384),
                KEYS, ISSUER, Duration.ofSeconds(30), List.of(), CLOCK);

        assertThatThrownBy(() -> lenient.verify(es384))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: invalid signature");
    }

    @Test
    void verifierRefusesAnEmptyAlgorithmAllowList() {
        assertThatThrownBy(() -> new DefaultTaskTokenVerifier(Set.of(), KEYS, ISSUER, Duration.ZERO, List.of(), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the algorithm allow-list must not be empty");
    }

    @Test
    void verifierRefusesHmacInTheAlgorithmAllowList() {
        assertThatThrownBy(() -> new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.HS256),
                KEYS, ISSUER, Duration.ZERO, List.of(), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only ECDSA algorithms may verify task tokens: HS256");
    }

    @Test
    void verifierRefusesRsaInTheAlgorithmAllowList() {
        assertThatThrownBy(() -> new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.RS256), KEYS, ISSUER, Duration.ZERO, List.of(), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only ECDSA algorithms may verify task tokens: RS256");
    }

    @Test
    void standardChecksRunRequiredClaimsIssuerLifetimeAndDeadlineThenTheExtras() {
        ClaimCheck extra = (claims, now) -> { };

        List<ClaimCheck> checks = DefaultTaskTokenVerifier.standardChecks(ISSUER, Duration.ofSeconds(30), extra);

        assertThat(checks).hasSize(5).last().isSameAs(extra);
    }

    @Test
    void extraClaimCheckCanRequireScopes() {
        DefaultTaskTokenVerifier needsWrite = new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256), KEYS,
                ISSUER, ClaimChecks.DEFAULT_LEEWAY,
                List.of(ClaimChecks.requiredScopes(List.of(Scope.parse("db:orders:write")))), CLOCK);

        assertThatThrownBy(() -> needsWrite.verify(validToken()))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim scope lacks db:orders:write");
    }
}
