package dev.stint.sdk;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.token.AgentId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;

/** The RFC 7523 {@code private_key_jwt} client assertion an agent signs to authenticate. */
final class ClientAssertion {

    static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** Short, because an assertion is only carried once, straight to the token endpoint. */
    static final Duration LIFETIME = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    private ClientAssertion() {
    }

    /**
     * A signed assertion with {@code iss = sub = agent}, {@code aud = issuer}, a fresh random
     * {@code jti} (the broker accepts each once), {@code iat = now} and {@code exp = now + 60 s}.
     */
    static String sign(AgentId agent, ECKey key, String issuer, Instant now) {
        Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(agent.value())
                .subject(agent.value())
                .audience(issuer)
                .jwtID(freshJti())
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plus(LIFETIME)))
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a client assertion with agent key " + key.getKeyID(), e);
        }
        return jwt.serialize();
    }

    /** 128 random bits: collisions are out of reach, so the broker's replay check never misfires. */
    private static String freshJti() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
