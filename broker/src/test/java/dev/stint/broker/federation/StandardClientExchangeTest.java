package dev.stint.broker.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.deployment.FederationSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nimbus's OAuth 2.0 SDK, off the shelf, discovers the grant and exchanges a CI token as RFC 8693 says. */
class StandardClientExchangeTest {

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    CiIssuerStub github;
    BrokerHarness broker;
    AuthorizationServerMetadata metadata;

    @BeforeEach
    void start() throws Exception {
        github = CiIssuerStub.start("/gh");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                tiers: { dev: { max_ttl: 1h, default_ttl: 15m } }
                grants: { ci-migrations: { dev: ["db:orders:read"] } }
                federation:
                  - { issuer: "%s", audience: ci-audience, agent: ci-migrations, claims: { repository_id: "892734" } }
                """.formatted(github.issuer()));
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock, options -> options.withDeployment(
                Deployment.NONE.withFederation(new FederationSettings(Set.of(github.issuer())))));
        assertThat(broker.postJson("/v1/agents", "{\"agent_id\":\"ci-migrations\",\"owner\":\"platform@example.com\","
                + "\"purpose\":\"CI\",\"tiers\":[\"dev\"]}", broker.adminToken()).status()).isEqualTo(201);
        metadata = AuthorizationServerMetadata.resolve(new Issuer(broker.issuer()));
    }

    @AfterEach
    void stop() {
        broker.close();
        github.close();
    }

    TokenResponse exchange(String ciToken) throws Exception {
        return TokenResponse.parse(new TokenRequest(metadata.getTokenEndpointURI(),
                new TokenExchangeGrant(new TypelessToken(ciToken), TokenTypeURI.JWT)).toHTTPRequest().send());
    }

    @Test
    void metadataAdvertisesTokenExchange() {
        assertThat(metadata.getGrantTypes()).contains(GrantType.TOKEN_EXCHANGE, GrantType.CLIENT_CREDENTIALS);
    }

    @Test
    void ciTokenIsExchangedForAnAccessToken() throws Exception {
        TokenResponse response = exchange(github.sign(github.githubClaims("ci-audience", clock.instant())));

        assertThat(response.indicatesSuccess()).as(String.valueOf(response)).isTrue();
        AccessTokenResponse success = (AccessTokenResponse) response;
        assertThat(success.getTokens().getAccessToken().getIssuedTokenType()).isEqualTo(TokenTypeURI.ACCESS_TOKEN);
        assertThat(success.getTokens().getAccessToken().getLifetime()).isEqualTo(300);
        assertThat(broker.openTask(success.getTokens().getAccessToken().getValue(), "dev", "[\"db:orders:read\"]",
                60L).status()).isEqualTo(201);
    }

    @Test
    void refusedTokenIsAStandardErrorResponse() throws Exception {
        TokenResponse response = exchange(github.sign(github.githubClaims("another-audience", clock.instant())));

        assertThat(response.indicatesSuccess()).isFalse();
        TokenErrorResponse error = (TokenErrorResponse) response;
        assertThat(error.getErrorObject().getCode()).isEqualTo("invalid_grant");
        assertThat(error.getErrorObject().getHTTPStatusCode()).isEqualTo(400);
    }
}
