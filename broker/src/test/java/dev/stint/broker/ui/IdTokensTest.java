package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.MutableClock;
import dev.stint.broker.http.RejectedException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The ID token of a single sign-on: only a properly signed one for this client and attempt is accepted. */
class IdTokensTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final String ISSUER = "https://login.example.com";
    static final ECKey KEY = key("k1");
    static final JWKSet KEYS = new JWKSet(KEY.toPublicJWK());

    MutableClock clock = new MutableClock(T0);
    IdTokens idTokens = new IdTokens(ISSUER, "stint", "email", clock);

    static ECKey key(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience("stint").subject("u1").claim("nonce", "n1")
                .claim("email", "ada@example.com").issueTime(Date.from(T0))
                .expirationTime(Date.from(T0.plusSeconds(300)));
    }

    static String signed(ECKey key, UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                change.apply(claims()).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    void aGoodTokenGivesThePersonClaim() throws Exception {
        assertThat(idTokens.personOf(signed(KEY, c -> c), KEYS, "n1")).isEqualTo("ada@example.com");
    }

    @Test
    void anotherAudienceIssuerNonceOrAnExpiredTokenIsRefused() throws Exception {
        assertRefused(signed(KEY, c -> c.audience("other")), "n1");
        assertRefused(signed(KEY, c -> c.issuer("https://evil.example.com")), "n1");
        assertRefused(signed(KEY, c -> c), "n2");
        assertRefused(signed(KEY, c -> c.claim("email", 42)), "n1");
        clock.advance(Duration.ofMinutes(10));
        assertRefused(signed(KEY, c -> c), "n1");
    }

    @Test
    void aKeyNotInTheProvidersSetIsRefused() throws Exception {
        assertRefused(signed(key("k1"), c -> c), "n1");
    }

    @Test
    void unsignedAndHmacTokensAreRefused() throws Exception {
        assertRefused(new PlainJWT(claims().build()).serialize(), "n1");
        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hmac.sign(new MACSigner("a-secret-that-is-long-enough-for-hs256!!"));
        assertRefused(hmac.serialize(), "n1");
    }

    private void assertRefused(String token, String nonce) {
        assertThatThrownBy(() -> idTokens.personOf(token, KEYS, nonce)).isInstanceOf(RejectedException.class)
                .satisfies(e -> assertThat(((RejectedException) e).status()).isEqualTo(401));
    }
}
