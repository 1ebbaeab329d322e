package dev.stint.broker.federation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.deployment.FederationSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8693 token exchange of CI OIDC tokens, against local issuers with GitHub's and GitLab's
 * claim shapes: what is let in, as which agent, and everything that must not be.
 */
class TokenExchangeTest {

    static final String AUDIENCE = "https://stint.example.com";
    static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

    @TempDir
    static Path dir;
    static MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    static CiIssuerStub github;
    static CiIssuerStub gitlab;
    static String down;
    static String garbage;
    static String plainHttpUnlisted;
    static BrokerHarness broker;

    @BeforeAll
    static void start() throws Exception {
        github = CiIssuerStub.start("/gh");
        gitlab = CiIssuerStub.start("/gl");
        try (CiIssuerStub gone = CiIssuerStub.start("/down")) {
            down = gone.issuer();
        }
        garbage = github.server().baseUrl() + "/garbage";
        github.server().stubFor(get(urlEqualTo("/garbage/.well-known/openid-configuration"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("<html>oops")));
        plainHttpUnlisted = github.server().baseUrl() + "/unlisted";
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                tiers:
                  dev:  { max_ttl: 1h, default_ttl: 15m }
                  prod: { max_ttl: 15m, default_ttl: 5m }
                grants:
                  ci-migrations: { dev: ["db:orders:read", "db:orders:ddl"] }
                  ci-gitlab:     { dev: ["db:orders:read"] }
                federation:
                  - issuer: %1$s
                    audience: %2$s
                    agent: ci-migrations
                    claims:
                      repository_id: "892734"
                      repository_owner_id: "4242"
                      ref: refs/heads/main
                      event_name: [push, workflow_dispatch]
                  - issuer: %1$s
                    audience: %2$s
                    agent: ci-migrations
                    claims:
                      repository_id: "892734"
                      ref: {glob: "refs/heads/release-*"}
                  - issuer: %1$s
                    audience: %2$s
                    agent: ci-nobody
                    claims: { repository_id: "31337" }
                  - issuer: %1$s
                    audience: %2$s
                    agent: ci-suspended
                    claims: { repository_id: "31338" }
                  - issuer: %3$s
                    audience: %2$s
                    agent: ci-gitlab
                    claims: { project_id: "77", ref_protected: "true" }
                  - { issuer: %4$s, audience: %2$s, agent: ci-gitlab, claims: { project_id: "1" } }
                  - { issuer: %5$s, audience: %2$s, agent: ci-gitlab, claims: { project_id: "1" } }
                  - { issuer: %6$s, audience: %2$s, agent: ci-gitlab, claims: { project_id: "1" } }
                """.formatted(github.issuer(), AUDIENCE, gitlab.issuer(), down, garbage,
                plainHttpUnlisted));
        broker = BrokerHarness.start(dir.resolve("data"), policy, clock, options -> options.withDeployment(
                Deployment.NONE.withFederation(new FederationSettings(Set.of(github.issuer(), gitlab.issuer(),
                        down, garbage)))));
        register("ci-migrations");
        register("ci-gitlab");
        register("ci-suspended");
        assertThat(broker.postJson("/v1/agents/ci-suspended/suspend", "{\"reason\":\"tests\"}", broker.adminToken())
                .status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        broker.close();
        github.close();
        gitlab.close();
    }

    static void register(String agent) {
        Response registered = broker.postJson("/v1/agents", "{\"agent_id\":\"" + agent + "\",\"owner\":"
                + "\"platform@example.com\",\"purpose\":\"CI migrations\",\"tiers\":[\"dev\"]}", broker.adminToken());
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    }

    static Response exchange(String subjectToken) {
        return exchange(Map.of("subject_token", subjectToken));
    }

    static Response exchange(Map<String, String> extra) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", EXCHANGE);
        form.put("subject_token_type", JWT_TYPE);
        form.putAll(extra);
        form.values().removeIf(value -> value == null);
        return broker.postForm("/oauth2/token", form, null);
    }

    static String githubToken(Consumer<Map<String, Object>> change) {
        Map<String, Object> claims = github.githubClaims(AUDIENCE, clock.instant());
        change.accept(claims);
        return github.sign(claims);
    }

    // what is let in

    @Test
    void githubTokenBecomesAnAgentTokenUsableOnTheTaskApi() {
        Response answer = exchange(githubToken(claims -> { }));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.text("issued_token_type")).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(answer.text("token_type")).isEqualTo("Bearer");
        assertThat(answer.json().get("expires_in").asLong()).isEqualTo(300);
        assertThat(answer.headers().firstValue("Cache-Control")).contains("no-store");
        Response task = broker.openTask(answer.text("access_token"), "dev", "[\"db:orders:ddl\"]", 600L);
        assertThat(task.status()).as(task.body()).isEqualTo(201);
        assertThat(task.text("agent_id")).isEqualTo("ci-migrations");
    }

    @Test
    void gitlabIdTokenBecomesAnAgentTokenForItsRule() {
        Map<String, Object> claims = gitlab.gitlabClaims(AUDIENCE, clock.instant());
        Response answer = exchange(Map.of("subject_token", gitlab.sign(claims),
                "subject_token_type", "urn:ietf:params:oauth:token-type:id_token"));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Response task = broker.openTask(answer.text("access_token"), "dev", "[\"db:orders:read\"]", 600L);
        assertThat(task.text("agent_id")).isEqualTo("ci-gitlab");
    }

    @Test
    void globMatchesAReleaseBranch() {
        Response answer = exchange(githubToken(claims -> claims.put("ref", "refs/heads/release-2.4")));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    @Test
    void everyAuditRecordOfAFederatedTaskNamesThePipelineRun() {
        String agentToken = exchange(githubToken(claims -> { })).text("access_token");
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 600L).text("task_id");
        broker.mint(agentToken, taskId);
        broker.postJson("/v1/tasks/" + taskId + "/end", "{}", agentToken);

        JsonNode records = broker.get("/v1/audit?task_id=" + taskId, broker.adminToken()).json().get("records");

        assertThat(records.size()).isGreaterThanOrEqualTo(3);
        for (JsonNode record : records) {
            JsonNode ci = record.get("ci");
            assertThat(ci).as(record.toString()).isNotNull();
            assertThat(ci.get("issuer").asText()).isEqualTo(github.issuer());
            assertThat(ci.get("subject").asText()).isEqualTo("repo:octo-org@4242/octo-repo@892734:ref:refs/heads/main");
            assertThat(ci.get("repository").asText()).isEqualTo("octo-org/octo-repo");
            assertThat(ci.get("ref").asText()).isEqualTo("refs/heads/main");
            assertThat(ci.get("workflow").asText()).isEqualTo("migrations");
            assertThat(ci.get("run_id").asText()).isEqualTo("7733");
            assertThat(ci.get("run_attempt").asText()).isEqualTo("2");
            assertThat(ci.get("actor").asText()).isEqualTo("octocat");
        }
    }

    @Test
    void auditChainStillVerifiesWithOrigins() {
        exchange(githubToken(claims -> { }));

        Response verified = broker.get("/v1/audit/verify", broker.adminToken());

        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        assertThat(verified.json().get("valid").asBoolean()).as(verified.body()).isTrue();
    }

    // what is refused

    @Test
    void replayedTokenIsRefused() {
        String token = githubToken(claims -> { });
        assertThat(exchange(token).status()).isEqualTo(200);

        Response again = exchange(token);

        assertGrantRefused(again, "already exchanged");
    }

    static Stream<Arguments> refusedTokens() {
        return Stream.of(
                refused("wrong audience", claims -> claims.put("aud", "https://other.example.com"),
                        "aud is not an audience"),
                refused("audience list without ours", claims -> claims.put("aud",
                        List.of("https://a.example.com", "https://b.example.com")), "aud is not an audience"),
                refused("expired", claims -> {
                    claims.put("iat", clock.instant().minusSeconds(900).getEpochSecond());
                    claims.put("exp", clock.instant().minusSeconds(60).getEpochSecond());
                }, "expired"),
                refused("not yet valid", claims -> claims.put("nbf", clock.instant().plusSeconds(600).getEpochSecond()),
                        "not valid before"),
                refused("issued in the future", claims -> claims.put("iat",
                        clock.instant().plusSeconds(600).getEpochSecond()), "issued in the future"),
                refused("no exp", claims -> claims.remove("exp"), "must carry exp and iat"),
                refused("no sub", claims -> claims.remove("sub"), "has no sub"),
                refused("recycled repository name, another id", claims -> claims.put("repository_id", "99999"),
                        "no federation rule matches"),
                refused("another owner id", claims -> claims.put("repository_owner_id", "1"),
                        "no federation rule matches"),
                refused("another branch", claims -> claims.put("ref", "refs/heads/feature"),
                        "no federation rule matches"),
                refused("glob does not cross a slash", claims -> claims.put("ref", "refs/heads/release-1/evil"),
                        "no federation rule matches"),
                refused("fork pull request", claims -> {
                    claims.put("event_name", "pull_request");
                    claims.put("ref", "refs/pull/12/merge");
                }, "no federation rule matches"),
                refused("pull_request_target on main", claims -> claims.put("event_name", "pull_request_target"),
                        "no federation rule matches"),
                refused("pull_request_target on a release branch (rule names no event)", claims -> {
                    claims.put("event_name", "pull_request_target");
                    claims.put("ref", "refs/heads/release-1");
                }, "no federation rule matches"),
                refused("repository_id as a number", claims -> claims.put("repository_id", 892734L),
                        "no federation rule matches"),
                refused("event_name as a list", claims -> claims.put("event_name", List.of("push")),
                        "no federation rule matches"),
                refused("ref as an object", claims -> claims.put("ref", Map.of("name", "refs/heads/main")),
                        "no federation rule matches"),
                refused("unknown issuer", claims -> claims.put("iss", "https://token.example.net"),
                        "no federation rule trusts tokens from issuer https://token.example.net"),
                refused("exp as a string", claims -> claims.put("exp", "tomorrow"), "subject_token"),
                refused("iss as a number", claims -> claims.put("iss", 42L), "subject_token"),
                refused("sub as an object", claims -> claims.put("sub", Map.of("repo", "x")), "subject_token"),
                refused("issuer in another case", claims -> claims.put("iss", github.issuer().toUpperCase(
                        java.util.Locale.ROOT)), "no federation rule trusts tokens from issuer"),
                refused("rule names an unregistered agent", claims -> claims.put("repository_id", "31337"),
                        "names agent ci-nobody, which is not registered"),
                refused("agent suspended", claims -> claims.put("repository_id", "31338"),
                        "agent ci-suspended is suspended"));
    }

    static Arguments refused(String name, Consumer<Map<String, Object>> change, String detail) {
        return Arguments.of(name, change, detail);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void tokenIsRefusedAsInvalidGrant(String name, Consumer<Map<String, Object>> change, String detail) {
        assertGrantRefused(exchange(githubToken(change)), detail);
    }

    @Test
    void gitlabMergeRequestPipelineMatchesNoRuleThatDoesNotNameIt() {
        Map<String, Object> claims = gitlab.gitlabClaims(AUDIENCE, clock.instant());
        claims.put("pipeline_source", "merge_request_event");

        assertGrantRefused(exchange(gitlab.sign(claims)), "no federation rule matches");
    }

    @Test
    void unsignedTokenIsRefused() {
        Map<String, Object> claims = github.githubClaims(AUDIENCE, clock.instant());
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String token = header + "." + b64(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(claims)
                .toString()) + ".";

        assertGrantRefused(exchange(token), "not a signed JWT");
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() throws Exception {
        byte[] publicKey = github.signingKey().toPublicJWK().toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(github.signingKey().getKeyID())
                .build(), JWTClaimsSet.parse(github.githubClaims(AUDIENCE, clock.instant())));
        jwt.sign(new MACSigner(java.util.Arrays.copyOf(publicKey, Math.max(publicKey.length, 32))));

        assertGrantRefused(exchange(jwt.serialize()), "signed with HS256");
    }

    @Test
    void tamperedClaimsAreRefused() {
        String token = githubToken(claims -> { });
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("refs/heads/main", "refs/heads/mair");

        assertGrantRefused(exchange(parts[0] + "." + b64(payload) + "." + parts[2]), "signature does not verify");
    }

    @Test
    void tokenSignedByAnUnpublishedKeyUnderAPublishedKidIsRefused() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).generate();

        String token = github.sign(github.githubClaims(AUDIENCE, clock.instant()), stranger,
                github.signingKey().getKeyID());

        assertGrantRefused(exchange(token), "signature does not verify");
    }

    @Test
    void unknownKidFetchesTheKeysAgainOnceThenRefuses() throws Exception {
        clock.advance(Duration.ofMinutes(11)); // past the keys' freshness: the next exchange fetches them
        assertThat(exchange(githubToken(claims -> { })).status()).isEqualTo(200);
        int before = github.jwksFetches();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("unknown-kid").generate();
        clock.advance(Duration.ofSeconds(31));

        Response first = exchange(github.sign(github.githubClaims(AUDIENCE, clock.instant()), stranger, "unknown-kid"));
        Response second = exchange(github.sign(github.githubClaims(AUDIENCE, clock.instant()), stranger, "unknown-kid"));

        assertGrantRefused(first, "which " + github.issuer() + " does not publish");
        assertGrantRefused(second, "does not publish");
        assertThat(github.jwksFetches()).isEqualTo(before + 1);
    }

    @Test
    void keyRotationAtTheIssuerIsFollowed() {
        assertThat(exchange(githubToken(claims -> { })).status()).isEqualTo(200);
        github.rotateKey();
        github.retireOldKeys();
        clock.advance(Duration.ofSeconds(31));

        Response answer = exchange(githubToken(claims -> { }));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    @Test
    void issuerThatIsDownIsUnavailableNotUnauthorized() {
        Map<String, Object> claims = github.githubClaims(AUDIENCE, clock.instant());
        claims.put("iss", down);
        claims.put("project_id", "1");

        Response answer = exchange(github.sign(claims));

        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        // The token endpoint speaks OAuth: RFC 6749's error beside the problem fields.
        assertThat(answer.text("error")).isEqualTo("temporarily_unavailable");
        assertThat(answer.text("detail")).contains(down).doesNotContain("eyJ");
    }

    @Test
    void issuerAnsweringGarbageIsUnavailable() {
        Map<String, Object> claims = github.githubClaims(AUDIENCE, clock.instant());
        claims.put("iss", garbage);
        claims.put("project_id", "1");

        Response answer = exchange(github.sign(claims));

        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.text("detail")).contains("discovery document is not JSON");
    }

    @Test
    void plainHttpIssuerNotListedInTheDeploymentIsNeverFetched() {
        Map<String, Object> claims = github.githubClaims(AUDIENCE, clock.instant());
        claims.put("iss", plainHttpUnlisted);
        claims.put("project_id", "1");

        assertGrantRefused(exchange(github.sign(claims)), "does not list it under federation.allow_http_issuers");
        assertThat(github.server().countRequestsMatching(com.github.tomakehurst.wiremock.client.WireMock
                .getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/unlisted.*")).build())
                .getCount()).isZero();
    }

    @Test
    void keylessAgentCannotUseClientCredentials() {
        dev.stint.broker.TestAgent impostor = dev.stint.broker.TestAgent.generate("ci-migrations");

        Response answer = broker.requestAgentToken(impostor.assertion(broker.issuer(), clock.instant()));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.text("error_description")).contains("signs in only through CI federation");
    }

    // malformed requests

    static Stream<Arguments> malformedRequests() {
        String token = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";
        return Stream.of(
                malformed("no subject_token", params("subject_token", null), "invalid_request",
                        "subject_token is required"),
                malformed("no subject_token_type", params("subject_token", token, "subject_token_type", null),
                        "invalid_request", "subject_token_type is required"),
                malformed("SAML subject token", params("subject_token", token, "subject_token_type",
                        "urn:ietf:params:oauth:token-type:saml2"), "unsupported_token_type", "subject_token_type must be"),
                malformed("refresh token asked for", params("subject_token", token, "requested_token_type",
                        "urn:ietf:params:oauth:token-type:refresh_token"), "unsupported_token_type",
                        "requested_token_type must be"),
                malformed("another audience", params("subject_token", token, "audience", "https://evil.example.com"),
                        "invalid_target", "audience must be this broker"),
                malformed("another resource", params("subject_token", token, "resource", "https://evil.example.com/api"),
                        "invalid_target", "resource must be this broker"),
                malformed("an actor token", params("subject_token", token, "actor_token", token, "actor_token_type",
                        JWT_TYPE), "invalid_request", "delegation (actor_token) is not supported"),
                malformed("client authentication too", params("subject_token", token, "client_assertion", "x",
                        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                        "invalid_request", "send no client authentication"),
                malformed("a scope", params("subject_token", token, "scope", "db:orders:read"), "invalid_scope",
                        "carries no scope"),
                malformed("oversized subject_token", params("subject_token", "e".repeat(20_000)), "invalid_request",
                        "longer than 16384"),
                malformed("subject_token with SQL", params("subject_token", "x'; DROP TABLE agents;--"),
                        "invalid_grant", "not a signed JWT"));
    }

    static Map<String, String> params(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    static Arguments malformed(String name, Map<String, String> params, String error, String detail) {
        return Arguments.of(name, params, error, detail);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void malformedRequestIsRefusedWithItsOAuthError(String name, Map<String, String> params, String error,
            String detail) {
        Response answer = exchange(params);

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.text("error")).isEqualTo(error);
        assertThat(answer.text("error_description")).contains(detail);
    }

    static void assertGrantRefused(Response answer, String detail) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.text("error")).isEqualTo("invalid_grant");
        assertThat(answer.text("error_description")).contains(detail);
    }

    static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
