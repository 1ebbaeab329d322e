package dev.stint.broker.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.auth.verifier.ClientAuthenticationVerifier;
import com.nimbusds.oauth2.sdk.auth.verifier.ClientCredentialsSelector;
import com.nimbusds.oauth2.sdk.auth.verifier.Context;
import com.nimbusds.oauth2.sdk.auth.verifier.InvalidClientException;
import com.nimbusds.oauth2.sdk.auth.verifier.JWTAudienceCheck;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where the broker's client-assertion checks are stricter than oauth2-oidc-sdk's
 * {@link ClientAuthenticationVerifier} (default settings with the LEGACY audience check, the
 * agent's registered keys, the same accepted audiences): each assertion here passes Nimbus and is refused by the broker, for the
 * reason the verifier's comments give.
 *
 * <p>Nimbus reads the system clock, so this test's broker clock starts at the real time (to
 * the second) and stands still; every assertion is built around that instant.
 */
class AssertionStricterThanNimbusTest {

    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    BrokerHarness broker;
    TestAgent ecAgent;
    RSAKey rsaKey;

    @BeforeEach
    void start() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        ecAgent = broker.registerAgent("demo-agent", "dev");
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-agent-key-1").generate();
        Response registered = broker.postJson("/v1/agents", "{\"agent_id\":\"rsa-agent\",\"owner\":\"alice@example.com\","
                + "\"purpose\":\"tests\",\"tiers\":[\"dev\"],\"jwks\":{\"keys\":[" + rsaKey.toPublicJWK().toJSONString()
                + "]}}", broker.adminToken());
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    static Stream<Arguments> acceptedByNimbusRefusedHere() {
        return Stream.of(
                row("exp an hour ahead (Nimbus sets no maximum lifetime)",
                        t -> t.ec(b -> b.expirationTime(t.at(3600))), "exp is more than 300 s ahead"),
                row("no jti (optional for Nimbus)", t -> t.ec(b -> b.jwtID(null)),
                        "jti is required (1-256 characters)"),
                row("jti of 257 characters", t -> t.ec(b -> b.jwtID("j".repeat(257))),
                        "jti is required (1-256 characters)"),
                row("exp 45 s ago (inside Nimbus's 60 s skew, past the broker's 30 s)",
                        t -> t.ec(b -> b.issueTime(t.at(-100)).expirationTime(t.at(-45))), "it has expired"),
                row("nbf 45 s ahead (inside Nimbus's 60 s skew)", t -> t.ec(b -> b.notBeforeTime(t.at(45))),
                        "nbf is in the future"),
                row("iat two minutes ahead (Nimbus does not check iat)", t -> t.ec(b -> b.issueTime(t.at(120))),
                        "iat is in the future"),
                row("header carries the agent's own key as jwk (Nimbus ignores it)",
                        t -> t.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(t.ecAgent.key().getKeyID())
                                .jwk(t.ecAgent.key().toPublicJWK()).build(), t.claims("demo-agent", b -> b),
                                t.ecAgent.key()),
                        "embedded key references (jwk, jku, x5u, x5c) are refused"),
                row("RS512 by the agent's registered RSA key (Nimbus takes any RSA or ECDSA algorithm)",
                        t -> t.sign(new JWSHeader.Builder(JWSAlgorithm.RS512).keyID(t.rsaKey.getKeyID()).build(),
                                t.claims("rsa-agent", b -> b), t.rsaKey),
                        "algorithm RS512 is not allowed (use ES256, ES384, PS256 or RS256)"),
                row("over 8192 characters (Nimbus has no limit)",
                        t -> t.ec(b -> b.claim("padding", "p".repeat(9000))), "longer than 8192 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedByNimbusRefusedHere")
    void assertionNimbusAcceptsIsRefusedForTheStatedReason(String name, Input input, String reason) throws Exception {
        String assertion = input.build(this);

        nimbus().verify(PrivateKeyJWT.parse(Map.of("client_assertion_type", List.of(JWT_BEARER),
                "client_assertion", List.of(assertion))), null, null);
        Response response = broker.requestAgentToken(assertion);

        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.text("error")).isEqualTo("invalid_client");
        assertThat(response.text("error_description")).isEqualTo("client assertion rejected: " + reason);
    }

    /** Nimbus checks a jti only when given an ExpendedJTIChecker, and then apart from what is issued. */
    @Test
    void replayNimbusAcceptsWithoutAJtiCheckerIsRefused() throws Exception {
        String assertion = ec(b -> b);
        PrivateKeyJWT parsed = PrivateKeyJWT.parse(Map.of("client_assertion_type", List.of(JWT_BEARER),
                "client_assertion", List.of(assertion)));
        nimbus().verify(parsed, null, null);
        nimbus().verify(parsed, null, null);

        assertThat(broker.requestAgentToken(assertion).status()).isEqualTo(200);
        Response replay = broker.requestAgentToken(assertion);

        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.text("error_description"))
                .isEqualTo("client assertion rejected: it was already used (jti replayed) for agent demo-agent");
    }

    // Nimbus, configured as a server would by default

    private ClientAuthenticationVerifier<Void> nimbus() {
        Map<String, JWK> keys = Map.of("demo-agent", ecAgent.key().toPublicJWK(), "rsa-agent", rsaKey.toPublicJWK());
        ClientCredentialsSelector<Void> selector = new ClientCredentialsSelector<>() {
            @Override
            public List<Secret> selectClientSecrets(ClientID clientId, ClientAuthenticationMethod method,
                    Context<Void> context) throws InvalidClientException {
                throw new InvalidClientException("no client secrets here");
            }

            @Override
            public List<? extends PublicKey> selectPublicKeys(ClientID clientId, ClientAuthenticationMethod method,
                    JWSHeader header, boolean forceRefresh, Context<Void> context) throws InvalidClientException {
                JWK key = keys.get(clientId.getValue());
                if (key == null) {
                    throw new InvalidClientException("unknown client");
                }
                try {
                    return List.of(key instanceof ECKey ec ? ec.toECPublicKey() : ((RSAKey) key).toRSAPublicKey());
                } catch (Exception e) {
                    throw new InvalidClientException(e.getMessage());
                }
            }
        };
        // LEGACY is what the older constructors use: any accepted value in aud. STRICT would also
        // refuse the token endpoint URL, which the broker's API accepts (see the verifier's comment).
        return new ClientAuthenticationVerifier<>(selector, Set.of(new Audience(broker.issuer()),
                new Audience(broker.issuer() + "/oauth2/token")), JWTAudienceCheck.LEGACY);
    }

    // inputs

    @FunctionalInterface
    interface Input {
        String build(AssertionStricterThanNimbusTest t) throws Exception;
    }

    private static Arguments row(String name, Input input, String reason) {
        return Arguments.of(name, input, reason);
    }

    /** A well-formed assertion by the EC agent, with its claims bent by {@code change}. */
    String ec(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ecAgent.key().getKeyID())
                .type(JOSEObjectType.JWT).build(), claims("demo-agent", change), ecAgent.key());
    }

    JWTClaimsSet claims(String agentId, UnaryOperator<JWTClaimsSet.Builder> change) {
        return change.apply(new JWTClaimsSet.Builder()
                .issuer(agentId)
                .subject(agentId)
                .audience(broker.issuer())
                .jwtID(UUID.randomUUID().toString())
                .issueTime(at(0))
                .expirationTime(at(60))).build();
    }

    String sign(JWSHeader header, JWTClaimsSet claims, JWK key) throws Exception {
        JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    Date at(long secondsFromNow) {
        return Date.from(clock.instant().plusSeconds(secondsFromNow));
    }
}
