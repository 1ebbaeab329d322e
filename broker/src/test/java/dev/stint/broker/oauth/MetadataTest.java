package dev.stint.broker.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.token.DefaultTaskTokenVerifier;
import dev.stint.token.TaskClaims;
import dev.stint.token.Tier;
import dev.stint.token.TokenRejectedException;
import dev.stint.token.keys.VerificationKeySource;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8414 server metadata and the JWKS, as a resource server in one tier consumes them (promise
 * 3, tier isolation): the published keys verify the broker's task tokens, and a verifier pinned to
 * another tier or audience rejects them.
 */
class MetadataTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void metadataIssuerIsExactlyTheUrlTheClientUsed() {
        Response response = broker.get("/.well-known/oauth-authorization-server", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        // the harness reaches the broker at issuer(); RFC 8414 section 3.3 requires the two to be identical
        assertThat(response.text("issuer")).isEqualTo(broker.issuer()).matches("http://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void issuerDoesNotFollowForgedHostOrForwardedHeaders() throws Exception {
        URI base = URI.create(broker.issuer());
        String answer;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(("GET /.well-known/oauth-authorization-server HTTP/1.1\r\n"
                    + "Host: evil.example\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n"
                    + "Forwarded: host=evil.example;proto=https\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(answer).contains("\"issuer\":\"" + broker.issuer() + "\"").doesNotContain("evil.example");
    }

    @Test
    void metadataNamesEndpointsUnderTheIssuer() {
        JsonNode metadata = broker.get("/.well-known/oauth-authorization-server", null).json();

        assertThat(metadata.get("token_endpoint").asText()).isEqualTo(broker.issuer() + "/oauth2/token");
        assertThat(metadata.get("jwks_uri").asText()).isEqualTo(broker.issuer() + "/.well-known/jwks.json");
        assertThat(metadata.get("introspection_endpoint").asText()).isEqualTo(broker.issuer() + "/oauth2/introspect");
        assertThat(metadata.get("revocation_endpoint").asText()).isEqualTo(broker.issuer() + "/oauth2/revoke");
    }

    @Test
    void metadataOffersOnlyClientCredentialsWithPrivateKeyJwt() {
        JsonNode metadata = broker.get("/.well-known/oauth-authorization-server", null).json();

        assertThat(strings(metadata.get("grant_types_supported"))).containsExactly("client_credentials",
                "urn:ietf:params:oauth:grant-type:token-exchange");
        assertThat(strings(metadata.get("response_types_supported"))).isEmpty();
        assertThat(strings(metadata.get("token_endpoint_auth_methods_supported"))).containsExactly("private_key_jwt");
        for (String endpoint : List.of("token", "introspection", "revocation")) {
            assertThat(strings(metadata.get(endpoint + "_endpoint_auth_signing_alg_values_supported"))).as(endpoint)
                    .containsExactly("ES256", "ES384", "PS256", "RS256")
                    .doesNotContain("none", "HS256");
        }
    }

    @Test
    void introspectionAndRevocationAdvertiseTheBearerTokensTheyAccept() {
        JsonNode metadata = broker.get("/.well-known/oauth-authorization-server", null).json();

        for (String endpoint : List.of("introspection", "revocation")) {
            assertThat(strings(metadata.get(endpoint + "_endpoint_auth_methods_supported"))).as(endpoint)
                    .containsExactly("private_key_jwt", "Bearer");
        }
    }

    @Test
    void jwksHoldsOnlyPublicEcSigningKeys() throws Exception {
        Response response = broker.get("/.well-known/jwks.json", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode keys = response.json().get("keys");
        assertThat(keys.size()).isGreaterThanOrEqualTo(1);
        for (JsonNode key : keys) {
            assertThat(key.get("kty").asText()).isEqualTo("EC");
            assertThat(key.get("crv").asText()).isEqualTo("P-256");
            assertThat(key.get("use").asText()).isEqualTo("sig");
            assertThat(key.get("kid").asText()).isNotBlank();
            assertThat(key.has("d")).as("private part of " + key.get("kid")).isFalse();
        }
        assertThat(JWKSet.parse(response.body()).getKeys()).noneMatch(JWK::isPrivate);
    }

    @Test
    void jwksMayBeCachedBriefly() {
        Response response = broker.get("/.well-known/jwks.json", null);

        assertThat(response.headers().allValues("Cache-Control")).containsExactly("public, max-age=60");
    }

    @Test
    void taskTokenKidIsPublishedInJwks() throws Exception {
        String token = mintDevTaskToken();

        String kid = SignedJWT.parse(token).getHeader().getKeyID();

        assertThat(publishedKeys().getKeyByKeyId(kid)).isNotNull();
        assertThat(broker.get("/health", null).text("signing_key")).isEqualTo(kid);
    }

    @Test
    void taskTokenVerifiesWithPublishedKeysInItsTier() throws Exception {
        String token = mintDevTaskToken();
        DefaultTaskTokenVerifier verifier = DefaultTaskTokenVerifier.pinned(broker.issuer(), "urn:stint:tier:dev",
                new Tier("dev"), keysFrom(publishedKeys()), clock);

        TaskClaims claims = verifier.verify(token);

        assertThat(claims.tier()).isEqualTo(new Tier("dev"));
        assertThat(claims.subject().value()).isEqualTo("demo-agent");
        assertThat(claims.audience()).isEqualTo("urn:stint:tier:dev");
    }

    @Test
    void verifierPinnedToProdRejectsDevTaskToken() throws Exception {
        String token = mintDevTaskToken();
        DefaultTaskTokenVerifier prod = DefaultTaskTokenVerifier.pinned(broker.issuer(), "urn:stint:tier:dev",
                new Tier("prod"), keysFrom(publishedKeys()), clock);

        assertThatThrownBy(() -> prod.verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: token is for tier dev, this verifier accepts only tier prod");
    }

    @Test
    void verifierPinnedToAnotherAudienceRejectsTaskToken() throws Exception {
        String token = mintDevTaskToken();
        DefaultTaskTokenVerifier other = DefaultTaskTokenVerifier.pinned(broker.issuer(), "urn:stint:tier:prod",
                new Tier("dev"), keysFrom(publishedKeys()), clock);

        assertThatThrownBy(() -> other.verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim aud does not include urn:stint:tier:prod");
    }

    @Test
    void verifierTrustingAnotherIssuerRejectsTaskToken() throws Exception {
        String token = mintDevTaskToken();
        DefaultTaskTokenVerifier other = DefaultTaskTokenVerifier.pinned("https://other-broker.example",
                "urn:stint:tier:dev", new Tier("dev"), keysFrom(publishedKeys()), clock);

        assertThatThrownBy(() -> other.verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim iss is not the expected issuer");
    }

    @Test
    void verifierRejectsTaskTokenOnceItsExpiryAndLeewayHavePassed() throws Exception {
        String token = mintDevTaskToken();
        DefaultTaskTokenVerifier verifier = DefaultTaskTokenVerifier.pinned(broker.issuer(), "urn:stint:tier:dev",
                new Tier("dev"), keysFrom(publishedKeys()), clock);
        clock.set(START.plusSeconds(300 + 30));

        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessage("token rejected: claim exp has passed");
    }

    // helpers

    private String mintDevTaskToken() {
        String agentToken = broker.agentToken(broker.registerAgent("demo-agent", "dev", "staging", "prod"));
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        Response minted = broker.mint(agentToken, taskId);
        assertThat(minted.status()).as(minted.body()).isEqualTo(200);
        return minted.text("access_token");
    }

    private JWKSet publishedKeys() throws Exception {
        String jwksUri = broker.get("/.well-known/oauth-authorization-server", null).text("jwks_uri");
        return JWKSet.parse(broker.get(jwksUri.substring(broker.issuer().length()), null).body());
    }

    private static VerificationKeySource keysFrom(JWKSet set) {
        return kid -> set.getKeys().stream().filter(k -> Objects.equals(kid, k.getKeyID())).toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }
}
