package dev.stint.broker.ui;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.stint.broker.http.RejectedException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a single sign-on ID token: signed (RS, ES or PS; never {@code none} or an HMAC) by a
 * key of the provider's set, {@code iss} the configured issuer, {@code aud} the client id, not
 * expired by {@code clock} (a minute's skew), and {@code nonce} the attempt's. Answers the
 * person claim, a string.
 */
final class IdTokens {

    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
            JWSAlgorithm.PS512);

    private final String issuer;
    private final String clientId;
    private final String personClaim;
    private final Clock clock;

    IdTokens(String issuer, String clientId, String personClaim, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.personClaim = Objects.requireNonNull(personClaim, "personClaim");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return the person claim of a token that verifies */
    String personOf(String idToken, JWKSet keys, String nonce) throws RejectedException {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(idToken);
        } catch (ParseException e) {
            throw refused("the ID token is not a signed JWT");
        }
        if (!ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
            throw refused("the ID token's algorithm is not accepted");
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(keys)));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(clientId,
                new JWTClaimsSet.Builder().issuer(issuer).claim("nonce", nonce).build(), Set.of("exp", "sub")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        processor.setJWTClaimsSetVerifier(claims);
        JWTClaimsSet set;
        try {
            set = processor.process(jwt, null);
        } catch (BadJOSEException | JOSEException e) {
            throw refused("the ID token did not verify (" + e.getClass().getSimpleName() + ")");
        }
        Object person = set.getClaim(personClaim);
        if (!(person instanceof String text) || text.isBlank()) {
            throw refused("the ID token has no " + personClaim + " claim");
        }
        return text;
    }

    private static RejectedException refused(String why) {
        return RejectedException.unauthorized("single sign-on refused: " + why);
    }
}
