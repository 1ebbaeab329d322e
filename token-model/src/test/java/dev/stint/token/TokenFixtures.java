package dev.stint.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.stint.token.keys.KeySet;
import dev.stint.token.keys.SigningKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One broker, one tier, one task: the fixed world the token tests run in. Every time is a whole
 * second so that minted tokens round-trip exactly.
 */
final class TokenFixtures {

    static final String ISSUER = "https://broker.stint.test";
    static final String AUDIENCE = "stint-db";
    static final Tier TIER = new Tier("prod");

    static final Instant ISSUED_AT = Instant.parse("2030-01-01T12:00:00Z");
    static final Instant EXPIRES_AT = ISSUED_AT.plus(Duration.ofMinutes(5));
    static final TaskDeadline DEADLINE = new TaskDeadline(ISSUED_AT.plus(Duration.ofHours(1)));

    /** Ten seconds into the token's life: comfortably valid. */
    static final Instant NOW = ISSUED_AT.plusSeconds(10);

    static final SigningKey KEY = SigningKey.generate(ISSUED_AT.minus(Duration.ofDays(1)));
    static final KeySet KEYS = new KeySet(KEY, List.of());

    private TokenFixtures() {
    }

    static ClaimsBuilder claims() {
        return new ClaimsBuilder();
    }

    /** The claims of a valid token as a mutable JSON map, ready to be forged. */
    static Map<String, Object> payload() {
        return payload(claims().build());
    }

    static Map<String, Object> payload(TaskClaims claims) {
        return new LinkedHashMap<>(claims.toClaimsSet().toJSONObject());
    }

    /** The header the broker itself would write. */
    static JWSHeader.Builder header() {
        return new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType("stint+jwt"))
                .keyID(KEY.kid());
    }

    static String sign(JWSHeader header, Map<String, Object> payload, JWSSigner signer) {
        JWSObject jws = new JWSObject(header, new Payload(payload));
        try {
            jws.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jws.serialize();
    }

    /** Signs with the real broker key and the real header: only the payload is forged. */
    static String signed(Map<String, Object> payload) {
        return sign(header().build(), payload, signer(KEY.privateJwk()));
    }

    static String signed(JWSHeader header) {
        return sign(header, payload(), signer(KEY.privateJwk()));
    }

    static ECDSASigner signer(ECKey key) {
        try {
            return new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ecKey(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String mint(TaskClaims claims) {
        return mint(KEY, claims);
    }

    static String mint(SigningKey key, TaskClaims claims) {
        try {
            return new SignedTaskTokenMinter(key).mint(claims);
        } catch (KeyUnavailableException e) {
            throw new IllegalStateException(e);
        }
    }

    static String validToken() {
        return mint(claims().build());
    }

    static DefaultTaskTokenVerifier verifier(Clock clock) {
        return DefaultTaskTokenVerifier.pinned(ISSUER, AUDIENCE, TIER, KEYS, clock);
    }

    static DefaultTaskTokenVerifier verifierAt(Instant now) {
        return verifier(Clock.fixed(now, ZoneOffset.UTC));
    }

    static String b64(String json) {
        return Base64URL.encode(json).toString();
    }

    /** Replaces one dot-separated part of a compact token, keeping the others untouched. */
    static String replacePart(String token, int index, String replacement) {
        String[] parts = token.split("\\.", -1);
        parts[index] = replacement;
        return String.join(".", parts);
    }

    /** A mutable recipe for {@link TaskClaims}; defaults describe a valid prod token. */
    static final class ClaimsBuilder {
        String issuer = ISSUER;
        AgentId subject = new AgentId("ci-runner-7");
        String audience = AUDIENCE;
        Instant issuedAt = ISSUED_AT;
        Instant notBefore = ISSUED_AT;
        Instant expiresAt = EXPIRES_AT;
        String jwtId = "jti-0001";
        TaskId taskId = new TaskId("tsk_0123456789abcdef01234567");
        Tier tier = TIER;
        List<Scope> scopes = new ArrayList<>(List.of(Scope.parse("db:orders:read")));
        TaskDeadline deadline = DEADLINE;
        String owner = "alice@example.com";
        List<String> approvals = new ArrayList<>();

        ClaimsBuilder issuer(String value) {
            issuer = value;
            return this;
        }

        ClaimsBuilder subject(AgentId value) {
            subject = value;
            return this;
        }

        ClaimsBuilder audience(String value) {
            audience = value;
            return this;
        }

        ClaimsBuilder issuedAt(Instant value) {
            issuedAt = value;
            return this;
        }

        ClaimsBuilder notBefore(Instant value) {
            notBefore = value;
            return this;
        }

        ClaimsBuilder expiresAt(Instant value) {
            expiresAt = value;
            return this;
        }

        ClaimsBuilder jwtId(String value) {
            jwtId = value;
            return this;
        }

        ClaimsBuilder taskId(TaskId value) {
            taskId = value;
            return this;
        }

        ClaimsBuilder tier(Tier value) {
            tier = value;
            return this;
        }

        ClaimsBuilder scopes(List<Scope> value) {
            scopes = value;
            return this;
        }

        ClaimsBuilder scopes(String... values) {
            List<Scope> parsed = new ArrayList<>();
            for (String value : values) {
                parsed.add(Scope.parse(value));
            }
            scopes = parsed;
            return this;
        }

        ClaimsBuilder deadline(TaskDeadline value) {
            deadline = value;
            return this;
        }

        ClaimsBuilder owner(String value) {
            owner = value;
            return this;
        }

        ClaimsBuilder approvals(List<String> value) {
            approvals = value;
            return this;
        }

        TaskClaims build() {
            return new TaskClaims(issuer, subject, audience, issuedAt, notBefore, expiresAt, jwtId,
                    taskId, tier, scopes, deadline, owner, approvals);
        }
    }
}
