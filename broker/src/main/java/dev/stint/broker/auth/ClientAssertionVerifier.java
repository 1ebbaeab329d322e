package dev.stint.broker.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.http.OAuthRejectedException;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentRows;
import dev.stint.broker.store.Store;
import dev.stint.token.AgentId;
import dev.stint.token.HeaderText;
import io.vertx.core.Future;
import java.security.Provider;
import java.security.ProviderException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a {@code private_key_jwt} client assertion (RFC 7523): signed by one of the agent's
 * registered keys with an allowed algorithm, {@code iss = sub =} the agent, {@code aud} the
 * issuer or token endpoint, short-lived, with a {@code jti}. Single use is enforced by
 * {@link ClientAuthentication}, which records the jti in the same store unit as what it issues.
 *
 * <p>Rejected and broken stay apart: an assertion that is wrong is a
 * {@link OAuthRejectedException} ({@code invalid_client}, 401); a signature check that could not
 * run (the JCA provider threw, a registered key could not be loaded) is an
 * {@link UnavailableException} (503), never a 401 and never a pass.
 *
 * <p>Compared with oauth2-oidc-sdk's {@code ClientAuthenticationVerifier} (11.x, with its
 * {@code JWTAuthenticationClaimsSetVerifier}), every check here is at least as strict as its
 * defaults; the checks marked "Stricter than Nimbus" below go further. Nimbus is not used at
 * run time: its time checks read the system clock rather than an injected one, it checks claims
 * before the signature, and it would be a second OAuth stack for checks it makes more loosely.
 * One Nimbus option is stricter than this class: its {@code STRICT} audience mode (after
 * draft-ietf-oauth-rfc7523bis) takes one expected value, meant to be the issuer, and a
 * single-valued {@code aud}; the check here also accepts the token endpoint URL and a list
 * holding an accepted value, as the HTTP API promises clients. Nimbus's default is as loose.
 * {@code AssertionStricterThanNimbusTest} shows each stricter check refusing an assertion that
 * Nimbus accepts.
 */
public final class ClientAssertionVerifier {

    public static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.PS256, JWSAlgorithm.RS256);
    /** An assertion may not claim to live longer than this: it is a proof of possession, not a credential. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
    static final Duration LEEWAY = Duration.ofSeconds(30);
    static final int MAX_LENGTH = 8192;

    private static final Logger LOG = LoggerFactory.getLogger(ClientAssertionVerifier.class);

    /** A verified assertion: whose it is and the jti to record until {@code expiresAt}. */
    public record Verified(Agent agent, String jti, Instant expiresAt) {
    }

    private final Store store;
    private final Set<String> audiences;
    private final String issuer;
    private final Optional<Provider> ecdsaProvider;
    private final Clock clock;

    /**
     * @param issuer the broker's issuer, named in rejections
     * @param audiences accepted {@code aud} values: the issuer and the broker's endpoint URLs
     * @param ecdsaProvider the JCA provider that checks ECDSA signatures; empty for the JDK's
     *     default (RSA signatures always use the JDK's default)
     */
    public ClientAssertionVerifier(Store store, String issuer, Set<String> audiences, Optional<Provider> ecdsaProvider,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.audiences = Set.copyOf(audiences);
        this.ecdsaProvider = Objects.requireNonNull(ecdsaProvider, "ecdsaProvider");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param clientId the request's {@code client_id}; {@code null} when it sent none
     * @return the verified assertion; or a future failed with an {@link OAuthRejectedException}
     *     (attributed to the agent the assertion names, once known) or an
     *     {@link UnavailableException} when the store or the signature check could not run
     */
    public Future<Verified> verify(String assertionType, String assertion, String clientId) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        AgentId agentId;
        try {
            if (!ASSERTION_TYPE.equals(assertionType)) {
                throw OAuthRejectedException.invalidRequest("client_assertion_type must be " + ASSERTION_TYPE);
            }
            if (assertion == null || assertion.isEmpty()) {
                throw OAuthRejectedException.invalidRequest("client_assertion is required");
            }
            // Stricter than Nimbus, which has no length limit: nothing longer is parsed.
            if (assertion.length() > MAX_LENGTH) {
                throw OAuthRejectedException.invalidClient("client assertion rejected: longer than " + MAX_LENGTH
                        + " characters");
            }
            jwt = parse(assertion);
            try {
                claims = jwt.getJWTClaimsSet();
            } catch (ParseException e) {
                throw OAuthRejectedException.invalidClient("client assertion rejected: claims are not a JSON object");
            }
            agentId = issuer(claims, clientId);
        } catch (RejectedException e) {
            return Future.failedFuture(e);
        }
        return store.read(tx -> new AgentRows(tx).find(agentId)).<Verified>compose(found -> {
            try {
                Agent agent = found.orElseThrow(() -> OAuthRejectedException.invalidClient(
                        "client assertion rejected: agent " + agentId + " is not registered"));
                if (!agent.isActive()) {
                    throw OAuthRejectedException.invalidClient("client assertion rejected: agent " + agentId + " is "
                            + agent.status().wireName());
                }
                checkSignature(jwt, agent);
                return Future.succeededFuture(checkClaims(claims, agent));
            } catch (RejectedException | UnavailableException e) {
                return Future.failedFuture(e);
            }
        }).recover(failure -> Future.failedFuture(failure instanceof OAuthRejectedException rejected
                ? rejected.claimedBy(agentId.value()) : failure));
    }

    private static SignedJWT parse(String assertion) throws RejectedException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(assertion);
        } catch (ParseException e) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: not a well-formed JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: it must be signed (alg none and"
                    + " encrypted assertions are refused)");
        }
        JWSHeader header = signed.getHeader();
        // Stricter than Nimbus, which takes any RSA or ECDSA algorithm (RS384, RS512, PS384, PS512
        // and ES512 too): only this allow-list.
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: algorithm "
                    + HeaderText.algorithm(header.getAlgorithm().getName()) + " is not allowed (use ES256, ES384, PS256 or RS256)");
        }
        // Stricter than Nimbus, which ignores these headers (it never verifies with them): an
        // assertion that carries its own key is refused outright.
        if (header.getJWK() != null || header.getJWKURL() != null || header.getX509CertURL() != null
                || header.getX509CertChain() != null) {
            throw OAuthRejectedException.invalidClient(
                    "client assertion rejected: embedded key references (jwk, jku, x5u, x5c) are refused");
        }
        return signed;
    }

    private static AgentId issuer(JWTClaimsSet claims, String clientId) throws RejectedException {
        // As strict as Nimbus (iss and sub required and equal; a client_id parameter must match).
        String iss = claims.getIssuer();
        String sub = claims.getSubject();
        if (iss == null || sub == null || !iss.equals(sub)) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: iss and sub must both be the agent id");
        }
        if (clientId != null && !clientId.equals(iss)) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: client_id does not match iss");
        }
        // Stricter than Nimbus: iss must also be a well-formed agent id.
        try {
            return new AgentId(iss);
        } catch (IllegalArgumentException e) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: iss is not a valid agent id");
        }
    }

    /**
     * Passes when one of the agent's keys (the one named by {@code kid}, else each in turn)
     * verifies the signature.
     *
     * @throws RejectedException when no key verifies it
     * @throws UnavailableException when the check itself could not run: the JCA provider threw,
     *     or a registered key could not be turned into a verifier
     */
    private void checkSignature(SignedJWT jwt, Agent agent) throws RejectedException, UnavailableException {
        JWSHeader header = jwt.getHeader();
        if (agent.jwks().getKeys().isEmpty()) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: agent " + agent.id()
                    + " has no key; it signs in only through CI federation (token exchange)");
        }
        List<JWK> candidates = header.getKeyID() != null
                ? agent.jwks().getKeys().stream().filter(k -> header.getKeyID().equals(k.getKeyID())).toList()
                : agent.jwks().getKeys();
        if (candidates.isEmpty()) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: agent " + agent.id()
                    + " has no registered key with that kid");
        }
        for (JWK key : candidates) {
            try {
                JWSVerifier verifier = verifierFor(header.getAlgorithm(), key);
                // Nimbus reports a signature that does not verify (wrong key, bad encoding,
                // out-of-range values) as false; an exception means the check did not run. It
                // wraps whatever the JCA throws while verifying in a JOSEException.
                if (verifier != null && jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException | ProviderException e) {
                LOG.warn("signature check of a client assertion for agent {} failed to run: {}", agent.id(),
                        e.toString());
                throw new UnavailableException("client assertion could not be checked: the signature check for"
                        + " agent " + agent.id() + " failed to run", e);
            }
        }
        throw OAuthRejectedException.invalidClient("client assertion rejected: invalid signature for agent " + agent.id());
    }

    /** A verifier of {@code alg} over {@code key}; {@code null} when the key cannot sign with it. */
    private JWSVerifier verifierFor(JWSAlgorithm alg, JWK key) throws JOSEException {
        if (key instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)
                && Curve.forJWSAlgorithm(alg).contains(ec.getCurve())) {
            ECDSAVerifier verifier = new ECDSAVerifier(ec);
            ecdsaProvider.ifPresent(verifier.getJCAContext()::setProvider);
            return verifier;
        }
        if (key instanceof RSAKey rsa && JWSAlgorithm.Family.RSA.contains(alg)) {
            return new RSASSAVerifier(rsa);
        }
        return null;
    }

    private Verified checkClaims(JWTClaimsSet claims, Agent agent) throws RejectedException {
        Instant now = clock.instant();
        // As strict as Nimbus's default (LEGACY) audience check: one accepted value in aud.
        List<String> aud = claims.getAudience();
        if (aud == null || aud.stream().noneMatch(audiences::contains)) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: aud must be the issuer "
                    + issuer + " or its token endpoint");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: exp is required");
        }
        // Stricter than Nimbus: 30 s of clock skew on exp, nbf and iat, not 60 s.
        if (!now.isBefore(exp.toInstant().plus(LEEWAY))) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: it has expired");
        }
        // Stricter than Nimbus, which by default accepts any exp however far ahead: an assertion
        // is a proof of possession for one request, not a credential to keep.
        if (exp.toInstant().isAfter(now.plus(MAX_LIFETIME).plus(LEEWAY))) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: exp is more than "
                    + MAX_LIFETIME.toSeconds() + " s ahead");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: nbf is in the future");
        }
        // Stricter than Nimbus, which does not look at iat.
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(LEEWAY).isBefore(iat.toInstant())) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: iat is in the future");
        }
        // Stricter than Nimbus, where jti is optional and replay is checked only with an optional
        // checker, before the signature and apart from what is issued: here jti is required, and
        // ClientAuthentication spends it in the store unit that issues.
        String jti = claims.getJWTID();
        if (jti == null || jti.isEmpty() || jti.length() > 256) {
            throw OAuthRejectedException.invalidClient("client assertion rejected: jti is required (1-256 characters)");
        }
        return new Verified(agent, jti, exp.toInstant().plus(LEEWAY));
    }
}
