package dev.stint.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.token.keys.JcaProviders;
import dev.stint.token.keys.VerificationKeySource;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies task tokens in a fixed order and decides nothing itself: size, parse (unsecured and
 * encrypted tokens are rejected), algorithm allow-list, {@code typ}, no embedded key references,
 * signature by {@code kid}, then each {@link ClaimCheck} in turn, then typed claims.
 * Thread safe.
 */
public final class DefaultTaskTokenVerifier implements TaskTokenVerifier {

    /** Longer input is rejected before parsing: task tokens are well under 2 KiB. */
    public static final int MAX_TOKEN_LENGTH = 8192;

    private static final Set<String> ACCEPTED_TYPES = Set.of("stint+jwt", "application/stint+jwt");

    private final Set<JWSAlgorithm> algorithms;
    private final VerificationKeySource keys;
    private final List<ClaimCheck> checks;
    private final Clock clock;

    /**
     * A verifier that always checks the required claims, the issuer, the lifetime (with
     * {@code leeway}) and {@code exp <= deadline}, then {@code extraChecks} in order: nothing can
     * turn the standard checks off.
     *
     * @param algorithms the allow-list; must be non-empty and hold only ECDSA algorithms
     * @param leeway clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}; at most
     *     {@link ClaimChecks#MAX_LEEWAY}
     * @param extraChecks further rules (audience, tier pin, scopes), run after the standard ones
     */
    public DefaultTaskTokenVerifier(Set<JWSAlgorithm> algorithms, VerificationKeySource keys, String issuer,
            Duration leeway, List<ClaimCheck> extraChecks, Clock clock) {
        Objects.requireNonNull(algorithms, "algorithms");
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("the algorithm allow-list must not be empty");
        }
        for (JWSAlgorithm alg : algorithms) {
            if (!JWSAlgorithm.Family.EC.contains(alg)) {
                throw new IllegalArgumentException("only ECDSA algorithms may verify task tokens: " + alg);
            }
        }
        this.algorithms = Set.copyOf(algorithms);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.checks = standardChecks(issuer, leeway, extraChecks.toArray(ClaimCheck[]::new));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The strict verifier a resource server in one tier uses: ES256 only, required claims,
     * issuer, audience, lifetime with {@link ClaimChecks#DEFAULT_LEEWAY}, {@code exp <= deadline}
     * and the tier pin.
     */
    public static DefaultTaskTokenVerifier pinned(String issuer, String audience, Tier tier,
            VerificationKeySource keys, Clock clock) {
        return new DefaultTaskTokenVerifier(Set.of(JWSAlgorithm.ES256), keys, issuer, ClaimChecks.DEFAULT_LEEWAY,
                List.of(ClaimChecks.audience(audience), ClaimChecks.tier(tier)), clock);
    }

    /** Required claims, issuer, lifetime and deadline, followed by {@code extra} checks. */
    public static List<ClaimCheck> standardChecks(String issuer, Duration leeway, ClaimCheck... extra) {
        List<ClaimCheck> all = new ArrayList<>();
        all.add(ClaimChecks.requiredClaims());
        all.add(ClaimChecks.issuer(issuer));
        all.add(ClaimChecks.lifetime(leeway));
        all.add(ClaimChecks.expiryWithinDeadline());
        all.addAll(List.of(extra));
        return all;
    }

    @Override
    public TaskClaims verify(String token) throws TokenRejectedException, KeyUnavailableException {
        SignedJWT jwt = parse(token);
        JWSHeader header = jwt.getHeader();
        checkHeader(header);
        checkSignature(jwt, header);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejectedException("claims are not a JSON object");
        }
        var now = clock.instant();
        for (ClaimCheck check : checks) {
            check.check(claims, now);
        }
        return TaskClaims.fromClaimsSet(claims);
    }

    private static SignedJWT parse(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException("no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenRejectedException("longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new TokenRejectedException("not a well-formed JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new TokenRejectedException("unsecured and encrypted JWTs are not accepted");
        }
        return signed;
    }

    private void checkHeader(JWSHeader header) throws TokenRejectedException {
        if (!algorithms.contains(header.getAlgorithm())) {
            throw new TokenRejectedException("algorithm " + HeaderText.algorithm(header.getAlgorithm().getName())
                    + " is not allowed");
        }
        JOSEObjectType type = header.getType();
        if (type == null || !ACCEPTED_TYPES.contains(type.getType().toLowerCase(Locale.ROOT))) {
            throw new TokenRejectedException("header typ must be stint+jwt");
        }
        if (header.getJWK() != null || header.getJWKURL() != null
                || header.getX509CertURL() != null || header.getX509CertChain() != null) {
            throw new TokenRejectedException("embedded key references (jwk, jku, x5u, x5c) are not accepted");
        }
        if (header.getKeyID() == null) {
            throw new TokenRejectedException("header kid is missing");
        }
    }

    private void checkSignature(SignedJWT jwt, JWSHeader header)
            throws TokenRejectedException, KeyUnavailableException {
        List<JWK> candidates = keys.keysFor(header.getKeyID());
        if (candidates.isEmpty()) {
            throw new TokenRejectedException("signing key " + HeaderText.keyId(header.getKeyID()) + " is not known");
        }
        for (JWK candidate : candidates) {
            if (!(candidate instanceof ECKey ec) || ec.isPrivate()
                    || !com.nimbusds.jose.jwk.Curve.forJWSAlgorithm(header.getAlgorithm()).contains(ec.getCurve())) {
                continue;
            }
            try {
                ECDSAVerifier verifier = new ECDSAVerifier(ec);
                if (JcaProviders.ecdsa() != null) {
                    verifier.getJCAContext().setProvider(JcaProviders.ecdsa());
                }
                if (jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException e) {
                throw new KeyUnavailableException("signature check failed to run for key "
                        + HeaderText.keyId(header.getKeyID()), e);
            }
        }
        throw new TokenRejectedException("invalid signature");
    }
}
