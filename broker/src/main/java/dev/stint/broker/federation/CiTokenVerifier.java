package dev.stint.broker.federation;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.OAuthRejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.token.HeaderText;
import io.vertx.core.Future;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a CI job's OIDC token: an asymmetric signature by a key its issuer publishes (never
 * {@code none}, never HMAC, whose "secret" would be the public key), and {@code exp}, {@code nbf},
 * {@code iat} with a small leeway. The issuer's keys are only fetched for an issuer some rule
 * trusts: the caller checks {@code iss} against the rules first, so a token cannot make the
 * broker fetch from an address of its choosing.
 */
final class CiTokenVerifier {

    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384);
    static final Duration LEEWAY = Duration.ofSeconds(30);

    private final CiIssuers issuers;
    private final Clock clock;

    CiTokenVerifier(CiIssuers issuers, Clock clock) {
        this.issuers = Objects.requireNonNull(issuers, "issuers");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The token's header and claims, parsed but not yet trusted. */
    record Parsed(SignedJWT jwt, String issuer) {
    }

    /** Parses the token and reads its issuer; nothing is fetched or trusted yet. */
    static Parsed parse(String token) throws OAuthRejectedException {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            // Plain (alg: none) and encrypted tokens are not signed JWTs and end here too.
            throw grant("subject_token is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw grant("subject_token is signed with " + HeaderText.algorithm(header.getAlgorithm().getName())
                    + "; CI tokens must be signed with an issuer's public key (RS*, PS*, ES256, ES384)");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw grant("subject_token has critical header parameters, which are not understood here");
        }
        if (header.getKeyID() == null) {
            throw grant("subject_token has no kid: the key that signed it cannot be chosen");
        }
        String issuer;
        try {
            issuer = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw grant("subject_token's claims are not a JSON object of valid claims");
        }
        if (issuer == null) {
            throw grant("subject_token has no iss");
        }
        return new Parsed(jwt, issuer);
    }

    /** Verifies the signature with the issuer's keys, then the times; the claims once trusted. */
    Future<JWTClaimsSet> verify(Parsed parsed) {
        String kid = parsed.jwt().getHeader().getKeyID();
        return issuers.keys(parsed.issuer())
                .compose(keys -> keyFor(keys, kid).isPresent() ? Future.succeededFuture(keys)
                        : issuers.keysAfterUnknownKid(parsed.issuer()))
                .compose(keys -> Attempt.step(() -> check(parsed, keys)));
    }

    private JWTClaimsSet check(Parsed parsed, JWKSet keys) throws OAuthRejectedException, UnavailableException {
        SignedJWT jwt = parsed.jwt();
        JWSHeader header = jwt.getHeader();
        JWK key = keyFor(keys, header.getKeyID()).orElseThrow(() -> grant("subject_token is signed with key "
                + HeaderText.keyId(header.getKeyID()) + ", which " + parsed.issuer() + " does not publish"));
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(header.getAlgorithm())) {
            throw grant("subject_token's alg does not match the alg its key is published for");
        }
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            throw grant("subject_token is signed with a key not published for signatures");
        }
        JWSVerifier verifier = verifierFor(header.getAlgorithm(), key)
                .orElseThrow(() -> grant("subject_token's alg does not fit the type of its key"));
        try {
            if (!jwt.verify(verifier)) {
                throw grant("subject_token's signature does not verify");
            }
        } catch (JOSEException e) {
            throw new UnavailableException("the signature of a CI token could not be checked", e);
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw grant("subject_token's claims are not valid");
        }
        checkTimes(claims);
        if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw grant("subject_token has no sub");
        }
        return claims;
    }

    private void checkTimes(JWTClaimsSet claims) throws OAuthRejectedException {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || iat == null) {
            throw grant("subject_token must carry exp and iat");
        }
        if (!now.minus(LEEWAY).isBefore(exp.toInstant())) {
            throw grant("subject_token expired at " + exp.toInstant());
        }
        if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
            throw grant("subject_token is not valid before " + nbf.toInstant());
        }
        if (now.plus(LEEWAY).isBefore(iat.toInstant())) {
            throw grant("subject_token is issued in the future (" + iat.toInstant() + ")");
        }
    }

    private static Optional<JWK> keyFor(JWKSet keys, String kid) {
        return Optional.ofNullable(keys.getKeyByKeyId(kid));
    }

    private static Optional<JWSVerifier> verifierFor(JWSAlgorithm alg, JWK key) throws UnavailableException {
        try {
            if (JWSAlgorithm.Family.RSA.contains(alg) && key instanceof RSAKey rsa && rsa.size() >= 2048) {
                return Optional.of(new RSASSAVerifier(rsa));
            }
            if (key instanceof ECKey ec && (JWSAlgorithm.ES256.equals(alg) && Curve.P_256.equals(ec.getCurve())
                    || JWSAlgorithm.ES384.equals(alg) && Curve.P_384.equals(ec.getCurve()))) {
                return Optional.of(new ECDSAVerifier(ec));
            }
            return Optional.empty();
        } catch (JOSEException e) {
            throw new UnavailableException("a published key of a CI token issuer could not be used", e);
        }
    }

    static OAuthRejectedException grant(String reason) {
        return new OAuthRejectedException(400, "invalid_grant", reason);
    }
}
