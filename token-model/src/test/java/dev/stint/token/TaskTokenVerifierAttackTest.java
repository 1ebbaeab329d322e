package dev.stint.token;

import static dev.stint.token.TokenFixtures.KEY;
import static dev.stint.token.TokenFixtures.NOW;
import static dev.stint.token.TokenFixtures.b64;
import static dev.stint.token.TokenFixtures.claims;
import static dev.stint.token.TokenFixtures.ecKey;
import static dev.stint.token.TokenFixtures.header;
import static dev.stint.token.TokenFixtures.payload;
import static dev.stint.token.TokenFixtures.replacePart;
import static dev.stint.token.TokenFixtures.sign;
import static dev.stint.token.TokenFixtures.signed;
import static dev.stint.token.TokenFixtures.signer;
import static dev.stint.token.TokenFixtures.validToken;
import static dev.stint.token.TokenFixtures.verifierAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens an attacker could present, each forged by hand, and the exact reason the pinned verifier
 * gives for refusing it. The clock stands at {@link TokenFixtures#NOW}, well inside every token's
 * life, so only the attack itself can be the reason.
 */
class TaskTokenVerifierAttackTest {

    private static final String ALG_NONE_HEADER = "eyJhbGciOiJub25lIn0"; // {"alg":"none"}

    private static final ECKey ATTACKER_P256 = ecKey(Curve.P_256, KEY.kid());
    private static final ECKey ATTACKER_P384 = ecKey(Curve.P_384, KEY.kid());

    private static String[] parts(String token) {
        return token.split("\\.", -1);
    }

    private static void assertRejected(String token, String expectedMessage) {
        assertThatThrownBy(() -> verifierAt(NOW).verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage(expectedMessage)
                .satisfies(e -> {
                    if (token != null && token.length() > 16) {
                        assertThat(e.getMessage()).doesNotContain(token);
                    }
                });
    }

    // ---- algorithm -------------------------------------------------------------------------

    static Stream<Arguments> algorithmAttacks() throws Exception {
        String realPayload = parts(validToken())[1];
        byte[] publicKeyBytes = KEY.publicJwk().toECPublicKey().getEncoded();
        return Stream.of(
                arguments("alg none via PlainJWT",
                        new PlainJWT(claims().build().toClaimsSet()).serialize(),
                        "token rejected: unsecured and encrypted JWTs are not accepted"),
                arguments("alg none with stint typ via PlainJWT",
                        new PlainJWT(new PlainHeader.Builder()
                                .type(new JOSEObjectType("stint+jwt")).build(),
                                claims().build().toClaimsSet()).serialize(),
                        "token rejected: unsecured and encrypted JWTs are not accepted"),
                arguments("alg none, header only: eyJhbGciOiJub25lIn0..",
                        ALG_NONE_HEADER + "..",
                        "token rejected: unsecured and encrypted JWTs are not accepted"),
                arguments("alg none hand-built, empty signature",
                        ALG_NONE_HEADER + "." + realPayload + ".",
                        "token rejected: unsecured and encrypted JWTs are not accepted"),
                arguments("alg none hand-built, real signature kept",
                        ALG_NONE_HEADER + "." + realPayload + "." + parts(validToken())[2],
                        "token rejected: not a well-formed JWT"),
                arguments("alg NONE in capitals with stint typ and real kid",
                        b64("{\"alg\":\"NONE\",\"typ\":\"stint+jwt\",\"kid\":\"" + KEY.kid() + "\"}")
                                + "." + realPayload + "." + parts(validToken())[2],
                        "token rejected: algorithm NONE is not allowed"),
                arguments("alg missing from header",
                        b64("{\"typ\":\"stint+jwt\",\"kid\":\"" + KEY.kid() + "\"}")
                                + "." + realPayload + "." + parts(validToken())[2],
                        "token rejected: not a well-formed JWT"),
                arguments("HS256 keyed with the public key's bytes",
                        sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("stint+jwt"))
                                .keyID(KEY.kid()).build(), payload(), new MACSigner(publicKeyBytes)),
                        "token rejected: algorithm HS256 is not allowed"),
                arguments("HS256 keyed with the public JWK's JSON",
                        sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("stint+jwt"))
                                .keyID(KEY.kid()).build(), payload(),
                                new MACSigner(KEY.publicJwk().toJSONString().getBytes(StandardCharsets.UTF_8))),
                        "token rejected: algorithm HS256 is not allowed"),
                arguments("RS256 with the real kid",
                        sign(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("stint+jwt"))
                                .keyID(KEY.kid()).build(), payload(),
                                new RSASSASigner(new RSAKeyGenerator(2048).keyID(KEY.kid()).generate())),
                        "token rejected: algorithm RS256 is not allowed"),
                arguments("ES384 signed by a P-384 key with the real kid",
                        sign(new JWSHeader.Builder(JWSAlgorithm.ES384).type(new JOSEObjectType("stint+jwt"))
                                .keyID(KEY.kid()).build(), payload(), signer(ATTACKER_P384)),
                        "token rejected: algorithm ES384 is not allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithmAttacks")
    void verifierRejectsTokenWithForbiddenAlgorithm(String name, String token, String expectedMessage) {
        assertRejected(token, expectedMessage);
    }

    // ---- header ----------------------------------------------------------------------------

    static Stream<Arguments> headerAttacks() throws Exception {
        String attackerJwk = ATTACKER_P256.toPublicJWK().toJSONString();
        return Stream.of(
                arguments("typ JWT",
                        signed(header().type(JOSEObjectType.JWT).build()),
                        "token rejected: header typ must be stint+jwt"),
                arguments("typ missing",
                        signed(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(KEY.kid()).build()),
                        "token rejected: header typ must be stint+jwt"),
                arguments("typ at+jwt (an OAuth access token)",
                        signed(header().type(new JOSEObjectType("at+jwt")).build()),
                        "token rejected: header typ must be stint+jwt"),
                arguments("typ empty",
                        signed(header().type(new JOSEObjectType("")).build()),
                        "token rejected: header typ must be stint+jwt"),
                arguments("typ with a look-alike prefix",
                        signed(header().type(new JOSEObjectType("x-stint+jwt")).build()),
                        "token rejected: header typ must be stint+jwt"),
                arguments("kid missing",
                        signed(new JWSHeader.Builder(JWSAlgorithm.ES256)
                                .type(new JOSEObjectType("stint+jwt")).build()),
                        "token rejected: header kid is missing"),
                arguments("kid unknown",
                        signed(header().keyID("stint-0000000000000000").build()),
                        "token rejected: signing key stint-0000000000000000 is not known"),
                arguments("kid empty",
                        signed(header().keyID("").build()),
                        "token rejected: signing key  is not known"),
                arguments("kid with a newline is not echoed",
                        signed(header().keyID("stint-1\nWARN forged log line").build()),
                        "token rejected: signing key (malformed kid) is not known"),
                arguments("kid with a quote is not echoed",
                        signed(header().keyID("a\"b").build()),
                        "token rejected: signing key (malformed kid) is not known"),
                arguments("kid of 65 characters is not echoed",
                        signed(header().keyID("k".repeat(65)).build()),
                        "token rejected: signing key (malformed kid) is not known"),
                arguments("embedded jwk of the attacker's key",
                        sign(header().jwk(ATTACKER_P256.toPublicJWK()).build(), payload(), signer(ATTACKER_P256)),
                        "token rejected: embedded key references (jwk, jku, x5u, x5c) are not accepted"),
                arguments("embedded jwk, hand-built, without kid",
                        b64("{\"alg\":\"ES256\",\"typ\":\"stint+jwt\",\"jwk\":" + attackerJwk + "}")
                                + "." + parts(validToken())[1] + "." + parts(validToken())[2],
                        "token rejected: embedded key references (jwk, jku, x5u, x5c) are not accepted"),
                arguments("jku pointing at the attacker's key set",
                        sign(header().jwkURL(URI.create("https://attacker.example/jwks.json")).build(),
                                payload(), signer(ATTACKER_P256)),
                        "token rejected: embedded key references (jwk, jku, x5u, x5c) are not accepted"),
                arguments("x5u pointing at the attacker's certificate",
                        sign(header().x509CertURL(URI.create("https://attacker.example/cert.pem")).build(),
                                payload(), signer(ATTACKER_P256)),
                        "token rejected: embedded key references (jwk, jku, x5u, x5c) are not accepted"),
                arguments("x5c carrying a certificate chain",
                        sign(header().x509CertChain(List.of(Base64.encode("not really a certificate"))).build(),
                                payload(), signer(ATTACKER_P256)),
                        "token rejected: embedded key references (jwk, jku, x5u, x5c) are not accepted"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerAttacks")
    void verifierRejectsTokenWithForbiddenHeader(String name, String token, String expectedMessage) {
        assertRejected(token, expectedMessage);
    }

    @Test
    void verifierAcceptsMediaTypeFormOfStintType() throws Exception {
        String token = signed(header().type(new JOSEObjectType("application/stint+jwt")).build());

        assertThat(verifierAt(NOW).verify(token)).isEqualTo(claims().build());
    }

    @Test
    void verifierAcceptsStintTypeInAnyCase() throws Exception {
        String token = signed(header().type(new JOSEObjectType("Stint+JWT")).build());

        assertThat(verifierAt(NOW).verify(token)).isEqualTo(claims().build());
    }

    // ---- signature -------------------------------------------------------------------------

    static Stream<Arguments> signatureAttacks() throws Exception {
        String valid = validToken();
        String[] p = parts(valid);

        Map<String, Object> otherTier = payload();
        otherTier.put("tier", "dev");
        Map<String, Object> widerScope = payload();
        widerScope.put("scope", "db:orders:read db:orders:write");
        Map<String, Object> laterExpiry = payload();
        laterExpiry.put("exp", ((Number) laterExpiry.get("exp")).longValue() + 3000);

        byte[] signature = new Base64URL(p[2]).decode();
        byte[] flipped = signature.clone();
        flipped[10] ^= 0x01;

        Signature der = Signature.getInstance("SHA256withECDSA");
        der.initSign(KEY.privateJwk().toECPrivateKey());
        der.update((p[0] + "." + p[1]).getBytes(StandardCharsets.US_ASCII));

        return Stream.of(
                arguments("payload tier changed, signature kept",
                        replacePart(valid, 1, Base64URL.encode(
                                new Payload(otherTier).toBytes()).toString()),
                        "token rejected: invalid signature"),
                arguments("payload scope widened, signature kept",
                        replacePart(valid, 1, Base64URL.encode(
                                new Payload(widerScope).toBytes()).toString()),
                        "token rejected: invalid signature"),
                arguments("payload exp extended, signature kept",
                        replacePart(valid, 1, Base64URL.encode(
                                new Payload(laterExpiry).toBytes()).toString()),
                        "token rejected: invalid signature"),
                arguments("header rewritten to application/stint+jwt, signature kept",
                        replacePart(valid, 0, header().type(new JOSEObjectType("application/stint+jwt"))
                                .build().toBase64URL().toString()),
                        "token rejected: invalid signature"),
                arguments("one bit of the signature flipped",
                        replacePart(valid, 2, Base64URL.encode(flipped).toString()),
                        "token rejected: invalid signature"),
                arguments("signature of all zeros (CVE-2022-21449)",
                        replacePart(valid, 2, Base64URL.encode(new byte[64]).toString()),
                        "token rejected: invalid signature"),
                arguments("signature truncated by one byte",
                        replacePart(valid, 2, Base64URL.encode(Arrays.copyOf(signature, 63)).toString()),
                        "token rejected: invalid signature"),
                arguments("signature in DER instead of JOSE form",
                        replacePart(valid, 2, Base64URL.encode(der.sign()).toString()),
                        "token rejected: invalid signature"),
                arguments("signature stripped",
                        replacePart(valid, 2, ""),
                        "token rejected: not a well-formed JWT"),
                arguments("crit header naming a parameter the verifier does not understand",
                        sign(header().criticalParams(Set.of("x-must")).customParam("x-must", 1).build(),
                                payload(), signer(KEY.privateJwk())),
                        "token rejected: invalid signature"),
                arguments("unencoded payload (b64: false), whose issuer URL adds dots",
                        sign(header().base64URLEncodePayload(false).criticalParams(Set.of("b64")).build(),
                                payload(), signer(KEY.privateJwk())),
                        "token rejected: not a well-formed JWT"),
                arguments("signed by another P-256 key reusing the real kid",
                        sign(header().build(), payload(), signer(ATTACKER_P256)),
                        "token rejected: invalid signature"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatureAttacks")
    void verifierRejectsTokenWhoseSignatureDoesNotMatch(String name, String token, String expectedMessage) {
        assertRejected(token, expectedMessage);
    }

    // ---- shape -----------------------------------------------------------------------------

    static Stream<Arguments> malformedTokens() throws JOSEException {
        Map<String, Object> padded = payload();
        padded.put("padding", "x".repeat(DefaultTaskTokenVerifier.MAX_TOKEN_LENGTH));
        String valid = validToken();
        return Stream.of(
                arguments("null", null, "token rejected: no token"),
                arguments("empty", "", "token rejected: no token"),
                arguments("a single word", "garbage", "token rejected: not a well-formed JWT"),
                arguments("whitespace only", "   ", "token rejected: not a well-formed JWT"),
                arguments("three empty parts", "..", "token rejected: not a well-formed JWT"),
                arguments("three junk parts", "a.b.c", "token rejected: not a well-formed JWT"),
                arguments("four dots", "....", "token rejected: not a well-formed JWT"),
                arguments("header without alg", "e30.e30.e30", "token rejected: not a well-formed JWT"),
                arguments("header not JSON", b64("not json") + ".e30.AAAA", "token rejected: not a well-formed JWT"),
                arguments("Bearer prefix kept", "Bearer " + valid, "token rejected: not a well-formed JWT"),
                arguments("two valid tokens glued", valid + "." + valid, "token rejected: not a well-formed JWT"),
                arguments("JWE-looking five parts (RSA-OAEP)",
                        b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAA.AAAA.AAAA",
                        "token rejected: unsecured and encrypted JWTs are not accepted"),
                arguments("JWE-looking five parts (dir)",
                        b64("{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\",\"typ\":\"stint+jwt\"}") + "..AAAA.AAAA.AAAA",
                        "token rejected: unsecured and encrypted JWTs are not accepted"),
                arguments("five parts with a JWS header",
                        b64("{\"alg\":\"ES256\",\"typ\":\"stint+jwt\"}") + ".a.b.c.d",
                        "token rejected: not a well-formed JWT"),
                arguments("8193 characters of junk", "a".repeat(8193), "token rejected: longer than 8192 characters"),
                arguments("validly signed but over 8192 characters", signed(padded),
                        "token rejected: longer than 8192 characters"),
                arguments("8192 characters of junk passes the size check only", "a".repeat(8192),
                        "token rejected: not a well-formed JWT"),
                arguments("validly signed payload that is not a JSON object",
                        signedRawPayload("[\"not\",\"an\",\"object\"]"),
                        "token rejected: claims are not a JSON object"));
    }

    private static String signedRawPayload(String json) throws JOSEException {
        JWSObject jws = new JWSObject(header().build(),
                new Payload(json));
        jws.sign(signer(KEY.privateJwk()));
        return jws.serialize();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedTokens")
    void verifierRejectsMalformedToken(String name, String token, String expectedMessage) {
        assertRejected(token, expectedMessage);
    }

    @Test
    void verifierAcceptsTheUntamperedToken() throws Exception {
        assertThat(verifierAt(NOW).verify(validToken())).isEqualTo(claims().build());
    }
}
