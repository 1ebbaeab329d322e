package dev.stint.broker.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Promise 1 (no standing credentials) at the token endpoint: only a fresh, single-use
 * {@code private_key_jwt} assertion signed by the agent's registered key buys an agent token.
 * Every forged, stale, replayed or misdirected assertion is refused with {@code invalid_client},
 * issues nothing, and is counted as an {@code agent.authenticate} deny: once the tally of
 * unauthenticated failures is flushed, it is exactly one summary record ("1 refused from T1 to
 * T2: reason").
 */
class ClientAssertionAttackTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    static final String UNAUTHORIZED = "urn:stint:problem:unauthorized";
    static final String INVALID_REQUEST = "urn:stint:problem:invalid-request";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    TestAgent victim;
    TestAgent attacker;

    @BeforeEach
    void startBroker() {
        broker = BrokerHarness.start(dataDir, clock);
        victim = broker.registerAgent("demo-agent", "dev", "staging", "prod");
        attacker = broker.registerAgent("cleanup-bot", "dev");
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    // the happy path

    @Test
    void validAssertionBuysShortLivedAgentToken() {
        Response response = broker.requestAgentToken(victim.assertion(broker.issuer(), clock.instant()));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.text("access_token")).startsWith("stint_at_");
        assertThat(response.text("token_type")).isEqualTo("Bearer");
        assertThat(response.json().get("expires_in").asLong()).isEqualTo(300);
        assertThat(broker.introspect(response.text("access_token")).text("client_id")).isEqualTo("demo-agent");
    }

    @Test
    void agentTokenIsRecordedAsAllowedAuthentication() {
        long head = auditHead();

        broker.requestAgentToken(victim.assertion(broker.issuer(), clock.instant()));

        List<JsonNode> records = auditAfter(head);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("action").asText()).isEqualTo("agent.authenticate");
        assertThat(records.get(0).get("decision").asText()).isEqualTo("allow");
        assertThat(records.get(0).get("agent_id").asText()).isEqualTo("demo-agent");
    }

    static Stream<Arguments> acceptedAssertions() {
        return Stream.of(
                accepted("aud is the token endpoint URL", t -> t.victim.assertion(t.broker.issuer() + "/oauth2/token",
                        t.clock.instant())),
                accepted("aud is a list holding the issuer", t -> t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.audience(List.of("https://other.example", t.broker.issuer())))),
                accepted("exp 29 s ago (inside the 30 s leeway)", t -> t.victim.assertion(t.broker.issuer(),
                        t.clock.instant(), b -> b.issueTime(t.ago(90)).expirationTime(t.ago(29)))),
                accepted("exp 330 s ahead (5 min plus leeway)", t -> t.victim.assertion(t.broker.issuer(),
                        t.clock.instant(), b -> b.expirationTime(t.ahead(330)))),
                accepted("nbf 30 s ahead (inside the leeway)", t -> t.victim.assertion(t.broker.issuer(),
                        t.clock.instant(), b -> b.notBeforeTime(t.ahead(30)))),
                accepted("no kid: every registered key is tried", t -> t.signed(
                        new JWSHeader.Builder(JWSAlgorithm.ES256).build(), t.claims(b -> b), t.victim.key())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedAssertions")
    void wellFormedAssertionIsAccepted(String name, Input assertion) {
        Response response = broker.requestAgentToken(assertion.build(this));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.text("access_token")).startsWith("stint_at_");
    }

    // attacks: 401 invalid_client, nothing issued, one deny record

    static Stream<Arguments> refusedAssertions() {
        return Stream.of(
                refused("replayed assertion (same jti twice)", t -> {
                    String once = t.victim.assertion(t.broker.issuer(), t.clock.instant());
                    assertThat(t.broker.requestAgentToken(once).status()).as("first use").isEqualTo(200);
                    return t.form(once);
                }, "client assertion rejected: it was already used (jti replayed) for agent demo-agent"),
                refused("another agent's key under its own kid, iss = victim", t -> t.form(t.signed(
                        t.es256(t.attacker.key().getKeyID()), t.claims(b -> b), t.attacker.key())),
                        "client assertion rejected: agent demo-agent has no registered key with that kid"),
                refused("another agent's key under the victim's kid", t -> t.form(t.signed(
                        t.es256(t.victim.key().getKeyID()), t.claims(b -> b), t.attacker.key())),
                        "client assertion rejected: invalid signature for agent demo-agent"),
                refused("another agent's key with no kid", t -> t.form(t.signed(
                        new JWSHeader.Builder(JWSAlgorithm.ES256).build(), t.claims(b -> b), t.attacker.key())),
                        "client assertion rejected: invalid signature for agent demo-agent"),
                refused("unknown agent", t -> {
                    TestAgent ghost = TestAgent.generate("ghost-agent");
                    return t.form(ghost.assertion(t.broker.issuer(), t.clock.instant()));
                }, "client assertion rejected: agent ghost-agent is not registered"),
                refused("suspended agent", t -> {
                    Response suspended = t.broker.postRaw("/v1/agents/demo-agent/suspend", null, new byte[0],
                            t.broker.adminToken());
                    assertThat(suspended.status()).as("suspend").isEqualTo(200);
                    return t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant()));
                }, "client assertion rejected: agent demo-agent is suspended"),
                refused("alg none (unsigned JWT)", t -> t.form(new PlainJWT(t.claims(b -> b)).serialize()),
                        "client assertion rejected: it must be signed (alg none and encrypted assertions are refused)"),
                refused("alg none header on a signed-looking JWT", t -> {
                    String[] parts = t.victim.assertion(t.broker.issuer(), t.clock.instant()).split("\\.");
                    return t.form(b64("{\"alg\":\"none\"}") + "." + parts[1] + "." + parts[2]);
                }, "client assertion rejected: not a well-formed JWT"),
                refused("HS256 keyed with the agent's public key", t -> t.form(t.hs256WithPublicKey()),
                        "client assertion rejected: algorithm HS256 is not allowed (use ES256, ES384, PS256 or RS256)"),
                refused("wrong aud", t -> t.form(t.victim.assertion("https://evil.example/oauth2/token",
                        t.clock.instant())), "client assertion rejected: aud must be the issuer {issuer} or its token endpoint"),
                refused("aud is another broker on the same host", t -> t.form(t.victim.assertion(
                        t.broker.issuer() + "0", t.clock.instant())),
                        "client assertion rejected: aud must be the issuer {issuer} or its token endpoint"),
                refused("no aud", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.audience((String) null))), "client assertion rejected: aud must be the issuer {issuer} or its token endpoint"),
                refused("exp 30 s ago (leeway used up)", t -> t.form(t.victim.assertion(t.broker.issuer(),
                        t.clock.instant(), b -> b.issueTime(t.ago(90)).expirationTime(t.ago(30)))),
                        "client assertion rejected: it has expired"),
                refused("exp an hour ago", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.issueTime(t.ago(3660)).expirationTime(t.ago(3600)))),
                        "client assertion rejected: it has expired"),
                refused("exp 331 s ahead (more than 5 min plus leeway)", t -> t.form(t.victim.assertion(
                        t.broker.issuer(), t.clock.instant(), b -> b.expirationTime(t.ahead(331)))),
                        "client assertion rejected: exp is more than 300 s ahead"),
                refused("exp a year ahead", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.expirationTime(t.ahead(366L * 86_400)))),
                        "client assertion rejected: exp is more than 300 s ahead"),
                refused("missing exp", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.expirationTime(null))), "client assertion rejected: exp is required"),
                refused("missing jti", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.jwtID(null))), "client assertion rejected: jti is required (1-256 characters)"),
                refused("jti of 257 characters", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.jwtID("j".repeat(257)))), "client assertion rejected: jti is required (1-256 characters)"),
                refused("iss differs from sub", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.subject("cleanup-bot"))),
                        "client assertion rejected: iss and sub must both be the agent id"),
                refused("missing sub", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.subject(null))), "client assertion rejected: iss and sub must both be the agent id"),
                refused("client_id parameter differs from iss", t -> {
                    Map<String, String> form = t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant()));
                    form.put("client_id", "cleanup-bot");
                    return form;
                }, "client assertion rejected: client_id does not match iss"),
                refused("iss is not a valid agent id", t -> t.form(t.signed(t.es256(t.victim.key().getKeyID()),
                        t.claims(b -> b.issuer("../admin").subject("../admin")), t.victim.key())),
                        "client assertion rejected: iss is not a valid agent id"),
                refused("nbf 31 s in the future", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.notBeforeTime(t.ahead(31)))), "client assertion rejected: nbf is in the future"),
                refused("iat 31 s in the future", t -> t.form(t.victim.assertion(t.broker.issuer(), t.clock.instant(),
                        b -> b.issueTime(t.ahead(31)))), "client assertion rejected: iat is in the future"),
                refused("unknown kid", t -> t.form(t.signed(t.es256("no-such-key"), t.claims(b -> b), t.victim.key())),
                        "client assertion rejected: agent demo-agent has no registered key with that kid"),
                refused("embedded jwk header carrying the attacker's key", t -> t.form(t.signed(
                        new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(t.attacker.key().toPublicJWK()).build(),
                        t.claims(b -> b), t.attacker.key())),
                        "client assertion rejected: embedded key references (jwk, jku, x5u, x5c) are refused"),
                refused("jku header pointing elsewhere", t -> t.form(t.signed(
                        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(t.victim.key().getKeyID())
                                .jwkURL(java.net.URI.create("https://evil.example/jwks.json")).build(),
                        t.claims(b -> b), t.attacker.key())),
                        "client assertion rejected: embedded key references (jwk, jku, x5u, x5c) are refused"),
                refused("tampered payload (signature no longer matches)", t -> {
                    String[] parts = t.victim.assertion(t.broker.issuer(), t.clock.instant()).split("\\.");
                    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]),
                            StandardCharsets.UTF_8).replace("\"exp\":", "\"exp\":1");
                    return t.form(parts[0] + "." + b64(payload) + "." + parts[2]);
                }, "client assertion rejected: invalid signature for agent demo-agent"),
                refused("garbage assertion string", t -> t.form("not-a-jwt"),
                        "client assertion rejected: not a well-formed JWT"),
                refused("three garbage segments", t -> t.form("a.b.c"),
                        "client assertion rejected: not a well-formed JWT"),
                refused("garbage of exactly 8192 characters (the longest read)", t -> t.form("e".repeat(8192)),
                        "client assertion rejected: not a well-formed JWT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedAssertions")
    void attackIsRefusedAsInvalidClientAndOnlyTheDenialIsRecorded(String name, FormInput input, String detail) {
        Map<String, String> form = input.build(this);
        long head = auditHead();
        String expected = detail.replace("{issuer}", broker.issuer());

        Response response = broker.postForm("/oauth2/token", form, null);

        assertOAuthError(response, 401, "invalid_client", UNAUTHORIZED, expected);
        List<JsonNode> records = auditAfter(head);
        assertThat(records).as("exactly one new record: the denial, so no token was issued").hasSize(1);
        assertDenial(records.get(0), expected);
    }

    /**
     * The verifier refuses assertions over 8192 characters, but Vert.x's form decoder (default
     * maxFormAttributeSize 8192 bytes, not raised in BrokerVerticle) throws first, so the broker
     * answers 500 internal, logs a stack trace at ERROR and records nothing.
     */
    @Test
    void assertionLongerThan8192CharactersIsRefusedAsInvalidClient() {
        long head = auditHead();

        Response response = broker.postForm("/oauth2/token", form("e".repeat(9000)), null);

        assertOAuthError(response, 401, "invalid_client", UNAUTHORIZED,
                "client assertion rejected: longer than 8192 characters");
        List<JsonNode> records = auditAfter(head);
        assertThat(records).hasSize(1);
        assertDenial(records.get(0), "client assertion rejected: longer than 8192 characters");
    }

    @Test
    void failedAuthenticationIsAuditedAsAgentAuthenticateDeny() {
        String forged = signed(es256(victim.key().getKeyID()), claims(b -> b), attacker.key());
        long head = auditHead();

        broker.requestAgentToken(forged);

        List<JsonNode> records = auditAfter(head);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("actor").asText()).isEqualTo("anonymous");
        assertThat(records.get(0).get("action").asText()).isEqualTo("agent.authenticate");
        assertThat(records.get(0).get("decision").asText()).isEqualTo("deny");
        assertThat(records.get(0).get("agent_id").asText()).isEqualTo("demo-agent");
        assertThat(records.get(0).get("reason").asText())
                .matches(summaryOfOne("client assertion rejected: invalid signature for agent demo-agent"));
    }

    @Test
    void concurrentReplaysOfOneAssertionBuyExactlyOneToken() throws Exception {
        String assertion = victim.assertion(broker.issuer(), clock.instant());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit((Callable<Response>) () -> broker.requestAgentToken(assertion)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> answer : answers) {
                statuses.add(answer.get().status());
            }

            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 401).hasSize(7);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void usedJtiStaysSpentAfterTheBrokerRestarts() {
        String assertion = victim.assertion(broker.issuer(), clock.instant());
        assertThat(broker.requestAgentToken(assertion).status()).isEqualTo(200);

        broker.restart();
        Response replay = broker.requestAgentToken(victim.assertion(broker.issuer(), clock.instant(),
                b -> b.jwtID(jtiOf(assertion))));

        assertOAuthError(replay, 401, "invalid_client", UNAUTHORIZED,
                "client assertion rejected: it was already used (jti replayed) for agent demo-agent");
    }

    @Test
    void suspendedAgentsExistingAgentTokenStopsWorking() {
        String token = broker.agentToken(victim);

        broker.postRaw("/v1/agents/demo-agent/suspend", null, new byte[0], broker.adminToken());

        assertThat(broker.openTask(token, "dev", "[\"db:orders:read\"]", 60L).status()).isEqualTo(401);
        assertThat(broker.introspect(token).json().get("active").asBoolean()).isFalse();
    }

    // malformed token requests: 400, nothing recorded

    static Stream<Arguments> malformedTokenRequests() {
        return Stream.of(
                badRequest("missing grant_type", "application/x-www-form-urlencoded",
                        "client_assertion_type=" + enc(JWT_BEARER) + "&client_assertion=x",
                        "invalid_request", "grant_type is required"),
                badRequest("grant_type password", "application/x-www-form-urlencoded",
                        "grant_type=password&username=admin&password=admin",
                        "unsupported_grant_type", "grant_type must be client_credentials or "
                                + "urn:ietf:params:oauth:grant-type:token-exchange"),
                badRequest("grant_type authorization_code", "application/x-www-form-urlencoded",
                        "grant_type=authorization_code&code=abc",
                        "unsupported_grant_type", "grant_type must be client_credentials or "
                                + "urn:ietf:params:oauth:grant-type:token-exchange"),
                badRequest("token exchange without subject_token_type", "application/x-www-form-urlencoded",
                        "grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange")
                                + "&subject_token=eyJ",
                        "invalid_request", "subject_token_type is required: urn:ietf:params:oauth:token-type:jwt"),
                badRequest("grant_type twice", "application/x-www-form-urlencoded",
                        "grant_type=client_credentials&grant_type=password&client_assertion_type=" + enc(JWT_BEARER)
                                + "&client_assertion=x",
                        "invalid_request", "parameter grant_type appears more than once"),
                badRequest("client_assertion twice", "application/x-www-form-urlencoded",
                        "grant_type=client_credentials&client_assertion_type=" + enc(JWT_BEARER)
                                + "&client_assertion=a&client_assertion=b",
                        "invalid_request", "parameter client_assertion appears more than once"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedTokenRequests")
    void malformedTokenRequestIsRefusedAndRecordsNothing(String name, String contentType, String body, String error,
            String detail) {
        long head = auditHead();

        Response response = broker.postRaw("/oauth2/token", contentType, body.getBytes(StandardCharsets.UTF_8), null);

        assertOAuthError(response, 400, error, INVALID_REQUEST, detail);
        assertThat(auditHead()).isEqualTo(head);
    }

    /** Naming another authentication method is a failed client authentication: answered 400, recorded as a deny. */
    static Stream<Arguments> unusableClientAuthentication() {
        return Stream.of(
                Arguments.of("client_assertion_type saml2-bearer",
                        "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", true,
                        "client_assertion_type must be " + JWT_BEARER),
                Arguments.of("no client_assertion_type", null, true, "client_assertion_type must be " + JWT_BEARER),
                Arguments.of("no client_assertion", JWT_BEARER, false, "client_assertion is required"),
                Arguments.of("empty client_assertion", JWT_BEARER, true, "client_assertion is required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableClientAuthentication")
    void unusableClientAuthenticationIsRefusedAndRecordedAsDeny(String name, String assertionType,
            boolean sendAssertion, String detail) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        if (assertionType != null) {
            form.put("client_assertion_type", assertionType);
        }
        if (sendAssertion) {
            form.put("client_assertion", name.startsWith("empty") ? "" : victim.assertion(broker.issuer(),
                    clock.instant()));
        }
        long head = auditHead();

        Response response = broker.postForm("/oauth2/token", form, null);

        assertOAuthError(response, 400, "invalid_request", INVALID_REQUEST, detail);
        List<JsonNode> records = auditAfter(head);
        assertThat(records).hasSize(1);
        assertDenial(records.get(0), detail);
    }

    @Test
    void assertionRefusedForItsTypeIsNotSpent() {
        String assertion = victim.assertion(broker.issuer(), clock.instant());
        broker.postForm("/oauth2/token", Map.of("grant_type", "client_credentials",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
                "client_assertion", assertion), null);

        assertThat(broker.requestAgentToken(assertion).status()).isEqualTo(200);
    }

    // inputs

    @FunctionalInterface
    interface Input {
        String build(ClientAssertionAttackTest t);
    }

    @FunctionalInterface
    interface FormInput {
        Map<String, String> build(ClientAssertionAttackTest t);
    }

    private static Arguments accepted(String name, Input input) {
        return Arguments.of(name, input);
    }

    private static Arguments refused(String name, FormInput input, String detail) {
        return Arguments.of(name, input, detail);
    }

    private static Arguments badRequest(String name, String contentType, String body, String error, String detail) {
        return Arguments.of(name, contentType, body, error, detail);
    }

    Map<String, String> form(String assertion) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_assertion_type", JWT_BEARER);
        form.put("client_assertion", assertion);
        return form;
    }

    /** The claims of a well-formed assertion by the victim, bent by {@code change}. */
    JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = clock.instant();
        return change.apply(new JWTClaimsSet.Builder()
                .issuer(victim.id())
                .subject(victim.id())
                .audience(broker.issuer())
                .jwtID(java.util.UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60)))).build();
    }

    JWSHeader es256(String kid) {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(JOSEObjectType.JWT).build();
    }

    String signed(JWSHeader header, JWTClaimsSet claims, ECKey key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The classic algorithm confusion: an HMAC keyed with the bytes of the agent's public key. */
    String hs256WithPublicKey() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(victim.key().getKeyID())
                    .build(), claims(b -> b));
            jwt.sign(new MACSigner(victim.key().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Date ago(long seconds) {
        return Date.from(clock.instant().minusSeconds(seconds));
    }

    Date ahead(long seconds) {
        return Date.from(clock.instant().plus(Duration.ofSeconds(seconds)));
    }

    private static String jtiOf(String assertion) {
        try {
            return SignedJWT.parse(assertion).getJWTClaimsSet().getJWTID();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static String b64(String json) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // assertions

    private static void assertOAuthError(Response response, int status, String error, String type, String detail) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = response.json();
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("error_description").asText()).isEqualTo(detail);
        assertThat(body.get("type").asText()).isEqualTo(type);
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(body.get("status").isInt()).isTrue();
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("detail").asText()).isEqualTo(detail);
        assertThat(body.has("access_token")).isFalse();
    }

    private static void assertDenial(JsonNode record, String reason) {
        assertThat(record.get("action").asText()).isEqualTo("agent.authenticate");
        assertThat(record.get("decision").asText()).isEqualTo("deny");
        assertThat(record.get("actor").asText()).isEqualTo("anonymous");
        assertThat(record.get("reason").asText()).matches(summaryOfOne(reason));
    }

    /** The tally's summary of one refusal: "1 refused from T1 to T2: reason". */
    static String summaryOfOne(String reason) {
        return "1 refused from \\S+ to \\S+: " + java.util.regex.Pattern.quote(reason);
    }

    /** The head once everything counted so far is on record. */
    private long auditHead() {
        broker.flushRefusals();
        return broker.get("/health", null).json().get("audit_head_seq").asLong();
    }

    /** The records after {@code seq}, once the refusals counted so far are summed up. */
    private List<JsonNode> auditAfter(long seq) {
        broker.flushRefusals();
        Response audit = broker.get("/v1/audit?after=" + seq, broker.adminToken());
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        List<JsonNode> records = new ArrayList<>();
        audit.json().get("records").forEach(records::add);
        return records;
    }
}
