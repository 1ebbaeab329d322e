package dev.stint.broker.federation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A CI platform's OIDC issuer on loopback, as GitHub Actions and GitLab publish theirs: a discovery
 * document at {@code ISSUER/.well-known/openid-configuration} naming a {@code jwks_uri}, and RS256
 * tokens with the platform's claim shapes. One WireMock server can host several issuers under
 * different paths. The stub is the CI platform, not Stint: stubbing it is what the broker meets.
 */
public final class CiIssuerStub implements AutoCloseable {

    private final WireMockServer server;
    private final String path;
    private final List<RSAKey> keys = new ArrayList<>();

    private CiIssuerStub(WireMockServer server, String path) {
        this.server = server;
        this.path = path;
    }

    /** A new issuer on its own server, at {@code http://127.0.0.1:PORT/PATH}. */
    public static CiIssuerStub start(String path) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        CiIssuerStub stub = new CiIssuerStub(server, path);
        stub.rotateKey();
        return stub;
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.port() + path;
    }

    public WireMockServer server() {
        return server;
    }

    /** Publishes the discovery document and the current keys. */
    public void publish() {
        server.stubFor(get(urlEqualTo(path + "/.well-known/openid-configuration")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/.well-known/jwks\","
                        + "\"subject_types_supported\":[\"public\"],"
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")));
        List<com.nimbusds.jose.jwk.JWK> published = new ArrayList<>();
        keys.forEach(key -> published.add(key.toPublicJWK()));
        server.stubFor(get(urlEqualTo(path + "/.well-known/jwks")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody(new JWKSet(published).toString(true))));
    }

    /** A new signing key, published beside the old ones (the newest signs). */
    public RSAKey rotateKey() {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyID("kid-" + UUID.randomUUID()).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).generate();
            keys.add(key);
            publish();
            return key;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops every key but the newest from what is published. */
    public void retireOldKeys() {
        RSAKey newest = keys.get(keys.size() - 1);
        keys.clear();
        keys.add(newest);
        publish();
    }

    public RSAKey signingKey() {
        return keys.get(keys.size() - 1);
    }

    public int jwksFetches() {
        return server.countRequestsMatching(getRequestedFor(urlEqualTo(path + "/.well-known/jwks")).build())
                .getCount();
    }

    /** GitHub Actions' claims for a push to main of {@code owner/repo}, issued at {@code now} for five minutes. */
    public Map<String, Object> githubClaims(String audience, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", UUID.randomUUID().toString());
        // The immutable subject form, which GitHub offers since 2025: owner and repository with their ids.
        claims.put("sub", "repo:octo-org@4242/octo-repo@892734:ref:refs/heads/main");
        claims.put("aud", audience);
        claims.put("ref", "refs/heads/main");
        claims.put("sha", "d8a1f6a0c2b56f3f0a3e2d7e9b1c4a5f6e7d8c9b");
        claims.put("repository", "octo-org/octo-repo");
        claims.put("repository_owner", "octo-org");
        claims.put("repository_owner_id", "4242");
        claims.put("repository_id", "892734");
        claims.put("repository_visibility", "private");
        claims.put("run_id", "7733");
        claims.put("run_number", "41");
        claims.put("run_attempt", "2");
        claims.put("actor", "octocat");
        claims.put("actor_id", "583231");
        claims.put("workflow", "migrations");
        claims.put("workflow_ref", "octo-org/octo-repo/.github/workflows/migrate.yml@refs/heads/main");
        claims.put("head_ref", "");
        claims.put("base_ref", "");
        claims.put("event_name", "push");
        claims.put("ref_type", "branch");
        claims.put("ref_protected", "true");
        claims.put("job_workflow_ref", "octo-org/octo-repo/.github/workflows/migrate.yml@refs/heads/main");
        claims.put("runner_environment", "github-hosted");
        claims.put("iss", issuer());
        claims.put("nbf", now.minusSeconds(5).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plusSeconds(300).getEpochSecond());
        return claims;
    }

    /** GitLab's {@code id_tokens} claims for a pipeline of project 77 on a protected main. */
    public Map<String, Object> gitlabClaims(String audience, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("sub", "project_path:platform/orders:ref_type:branch:ref:main");
        claims.put("aud", audience);
        claims.put("namespace_id", "12");
        claims.put("namespace_path", "platform");
        claims.put("project_id", "77");
        claims.put("project_path", "platform/orders");
        claims.put("user_id", "31");
        claims.put("user_login", "alice");
        claims.put("user_email", "alice@example.com");
        claims.put("pipeline_id", "99001");
        claims.put("pipeline_source", "push");
        claims.put("job_id", "5550123");
        claims.put("ref", "main");
        claims.put("ref_type", "branch");
        claims.put("ref_path", "refs/heads/main");
        claims.put("ref_protected", "true");
        claims.put("runner_id", "8");
        claims.put("runner_environment", "gitlab-hosted");
        claims.put("ci_config_ref_uri", "gitlab.example.com/platform/orders//.gitlab-ci.yml@refs/heads/main");
        claims.put("iss", issuer());
        claims.put("nbf", now.minusSeconds(5).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plusSeconds(3600).getEpochSecond());
        return claims;
    }

    /** The claims signed RS256 with the current key. */
    public String sign(Map<String, Object> claims) {
        return sign(claims, signingKey(), signingKey().getKeyID());
    }

    public String sign(Map<String, Object> claims, RSAKey key, String kid) {
        try {
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
            claims.forEach((name, value) -> builder.claim(name, value instanceof Long seconds
                    && List.of("iat", "exp", "nbf").contains(name) ? Date.from(Instant.ofEpochSecond(seconds)) : value));
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                    .keyID(kid).build(), builder.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
