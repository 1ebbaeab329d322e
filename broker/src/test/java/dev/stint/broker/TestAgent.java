package dev.stint.broker;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** An agent's key pair as the agent holds it, and the client assertions it signs. */
public record TestAgent(String id, ECKey key) {

    public static TestAgent generate(String id) {
        try {
            return new TestAgent(id, new ECKeyGenerator(Curve.P_256).keyID(id + "-key-1").generate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String publicJwks() {
        return "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}";
    }

    /** A well-formed assertion for {@code audience} at {@code now}. */
    public String assertion(String audience, Instant now) {
        return assertion(audience, now, b -> b);
    }

    /** An assertion whose claims a test may bend. */
    public String assertion(String audience, Instant now, UnaryOperator<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(id)
                .subject(id)
                .audience(audience)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofSeconds(60))));
        return sign(change.apply(claims).build(), key);
    }

    public static String sign(JWTClaimsSet claims, ECKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
