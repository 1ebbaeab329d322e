package dev.stint.bench;

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
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CI platform's OIDC issuer on loopback, as GitHub Actions publishes its own: the discovery
 * document at {@code ISSUER/.well-known/openid-configuration} naming {@code ISSUER/jwks}, one
 * RSA-2048 key with a {@code kid}, and RS256 tokens with GitHub's claim shapes. It is the CI
 * platform, not Stint: what the broker meets when it exchanges a CI token.
 */
final class LoopbackOidcIssuer implements AutoCloseable {

    /** The repository, branch and event the benchmark's federation rule lets in. */
    static final String REPOSITORY_ID = "892734";
    static final String REF = "refs/heads/main";
    static final String EVENT = "push";

    private final String issuer;
    private final RSAKey key;
    private final RSASSASigner signer;
    private final HttpServer server;
    private final AtomicInteger discoveryFetches = new AtomicInteger();
    private final AtomicInteger jwksFetches = new AtomicInteger();

    /** Starts serving at {@code issuer} ({@code http://127.0.0.1:PORT}, no path). */
    LoopbackOidcIssuer(String issuer) throws IOException, JOSEException {
        URI uri = URI.create(issuer);
        if (!"http".equals(uri.getScheme()) || !"127.0.0.1".equals(uri.getHost()) || uri.getPort() <= 0
                || !(uri.getPath() == null || uri.getPath().isEmpty())) {
            throw new IllegalArgumentException("the issuer must be http://127.0.0.1:PORT, not " + issuer);
        }
        this.issuer = issuer;
        this.key = new RSAKeyGenerator(2048).keyID("bench-" + UUID.randomUUID().toString().substring(0, 8))
                .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        this.signer = new RSASSASigner(key);
        byte[] discovery = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\","
                + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), uri.getPort()), 16);
        server.createContext("/.well-known/openid-configuration", exchange -> answer(exchange, discovery,
                discoveryFetches));
        server.createContext("/jwks", exchange -> answer(exchange, jwks, jwksFetches));
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "loopback-oidc-issuer");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    private static void answer(HttpExchange exchange, byte[] body, AtomicInteger fetches) throws IOException {
        try (exchange) {
            // Contexts match by prefix: anything below or beside the exact path is not published.
            String path = exchange.getRequestURI().getPath();
            boolean exact = path.equals(exchange.getHttpContext().getPath());
            if (!exact || !"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            fetches.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    String issuer() {
        return issuer;
    }

    int discoveryFetches() {
        return discoveryFetches.get();
    }

    int jwksFetches() {
        return jwksFetches.get();
    }

    /**
     * A GitHub Actions token for a push to main of the benchmark's repository, for
     * {@code audience}, issued at {@code now} for {@code lifetimeSeconds}, with a fresh jti (the
     * broker exchanges each token once), RS256-signed with the published key.
     */
    String githubToken(String audience, Instant now, long lifetimeSeconds) throws JOSEException {
        Instant issuedAt = Instant.ofEpochSecond(now.getEpochSecond());
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .jwtID(UUID.randomUUID().toString())
                .subject("repo:octo-org@4242/octo-repo@" + REPOSITORY_ID + ":ref:" + REF)
                .audience(audience)
                .issuer(issuer)
                .notBeforeTime(Date.from(issuedAt.minusSeconds(5)))
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plusSeconds(lifetimeSeconds)))
                .claim("ref", REF)
                .claim("sha", "d8a1f6a0c2b56f3f0a3e2d7e9b1c4a5f6e7d8c9b")
                .claim("repository", "octo-org/octo-repo")
                .claim("repository_owner", "octo-org")
                .claim("repository_owner_id", "4242")
                .claim("repository_id", REPOSITORY_ID)
                .claim("repository_visibility", "private")
                .claim("run_id", "7733")
                .claim("run_number", "41")
                .claim("run_attempt", "1")
                .claim("actor", "octocat")
                .claim("actor_id", "583231")
                .claim("workflow", "bench")
                .claim("workflow_ref", "octo-org/octo-repo/.github/workflows/bench.yml@" + REF)
                .claim("event_name", EVENT)
                .claim("ref_type", "branch")
                .claim("ref_protected", "true")
                .claim("job_workflow_ref", "octo-org/octo-repo/.github/workflows/bench.yml@" + REF)
                .claim("runner_environment", "github-hosted")
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** The public key, for the probe's own verification-cost check. */
    RSAKey publicKey() {
        return key.toPublicJWK();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
