package dev.stint.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off-the-shelf clients against the running broker: Nimbus's OAuth 2.0 SDK for discovery,
 * private_key_jwt client credentials, introspection and revocation, and Nimbus JOSE's standard
 * JWT processor (remote JWKS, explicit typ) for verifying task tokens. These libraries read the
 * system clock, so the broker's clock starts at the real time here.
 */
class StandardOAuthClientTest {

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    BrokerHarness broker;
    TestAgent agent;
    AuthorizationServerMetadata metadata;

    @BeforeEach
    void start() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        agent = broker.registerAgent("demo-agent", "dev");
        metadata = AuthorizationServerMetadata.resolve(new Issuer(broker.issuer()));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private PrivateKeyJWT clientAuth(URI audience) throws Exception {
        return new PrivateKeyJWT(new ClientID(agent.id()), audience, JWSAlgorithm.ES256,
                agent.key().toECPrivateKey(), agent.key().getKeyID(), null);
    }

    private String clientCredentials() throws Exception {
        TokenResponse response = TokenResponse.parse(new TokenRequest(metadata.getTokenEndpointURI(),
                clientAuth(metadata.getTokenEndpointURI()), new ClientCredentialsGrant()).toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).as(String.valueOf(response)).isTrue();
        return ((AccessTokenResponse) response).getTokens().getAccessToken().getValue();
    }

    private String taskToken() throws Exception {
        String agentToken = clientCredentials();
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        return broker.mint(agentToken, taskId).text("access_token");
    }

    @Test
    void discoveryFindsTheEndpointsAtTheIssuerTheClientUsed() {
        assertThat(metadata.getIssuer().getValue()).isEqualTo(broker.issuer());
        assertThat(metadata.getTokenEndpointURI()).hasToString(broker.issuer() + "/oauth2/token");
        assertThat(metadata.getJWKSetURI()).hasToString(broker.issuer() + "/.well-known/jwks.json");
    }

    @Test
    void clientCredentialsWithPrivateKeyJwtGivesABearerToken() throws Exception {
        TokenResponse response = TokenResponse.parse(new TokenRequest(metadata.getTokenEndpointURI(),
                clientAuth(metadata.getTokenEndpointURI()), new ClientCredentialsGrant()).toHTTPRequest().send());

        AccessTokenResponse success = response.toSuccessResponse();
        assertThat(success.getTokens().getBearerAccessToken()).isNotNull();
        assertThat(success.getTokens().getAccessToken().getLifetime()).isEqualTo(300);
    }

    @Test
    void assertionSignedWithAnotherKeyGetsAStandardInvalidClientError() throws Exception {
        TestAgent impostor = TestAgent.generate("demo-agent");
        PrivateKeyJWT forged = new PrivateKeyJWT(new ClientID("demo-agent"), metadata.getTokenEndpointURI(),
                JWSAlgorithm.ES256, impostor.key().toECPrivateKey(), agent.key().getKeyID(), null);

        HTTPResponse http = new TokenRequest(metadata.getTokenEndpointURI(), forged, new ClientCredentialsGrant())
                .toHTTPRequest().send();
        TokenErrorResponse error = TokenResponse.parse(http).toErrorResponse();

        assertThat(http.getStatusCode()).isEqualTo(401);
        assertThat(error.getErrorObject().getCode()).isEqualTo("invalid_client");
        assertThat(error.getErrorObject().getDescription()).contains("invalid signature");
    }

    @Test
    void introspectionWithPrivateKeyJwtReportsTaskTokenClaims() throws Exception {
        String token = taskToken();

        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
                metadata.getIntrospectionEndpointURI(), clientAuth(metadata.getIntrospectionEndpointURI()),
                new BearerAccessToken(token)).toHTTPRequest().send());

        TokenIntrospectionSuccessResponse success = response.toSuccessResponse();
        assertThat(success.isActive()).isTrue();
        assertThat(success.getSubject().getValue()).isEqualTo("demo-agent");
        assertThat(success.getScope().toString()).isEqualTo("db:orders:read");
        assertThat(success.getStringParameter("tier")).isEqualTo("dev");
    }

    @Test
    void revocationWithPrivateKeyJwtMakesTheTokenInactive() throws Exception {
        String token = taskToken();

        HTTPResponse revoked = new TokenRevocationRequest(metadata.getRevocationEndpointURI(),
                clientAuth(metadata.getRevocationEndpointURI()), new BearerAccessToken(token)).toHTTPRequest().send();

        assertThat(revoked.getStatusCode()).isEqualTo(200);
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
    }

    @Test
    void standardJwtProcessorVerifiesTaskTokensFromTheJwksUri() throws Exception {
        String token = taskToken();

        JWTClaimsSet claims = processor("dev").process(token, null);

        assertThat(claims.getStringClaim("task_id")).isNotBlank();
        assertThat(claims.getExpirationTime().toInstant())
                .isBeforeOrEqualTo(Instant.ofEpochSecond(claims.getLongClaim("deadline")));
    }

    @Test
    void standardJwtProcessorPinnedToProdRejectsADevToken() throws Exception {
        String token = taskToken();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> processor("prod").process(token, null))
                .isInstanceOf(BadJOSEException.class);
    }

    private DefaultJWTProcessor<SecurityContext> processor(String tier) throws Exception {
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(
                new URL(metadata.getJWKSetURI().toString())).retrying(false).build();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("stint+jwt")));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>("urn:stint:tier:" + tier,
                new JWTClaimsSet.Builder().issuer(broker.issuer()).claim("tier", tier).build(),
                Set.of("exp", "iat", "jti", "task_id", "deadline", "scope")));
        return processor;
    }

}
