package dev.stint.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.store.EmbeddedStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing keys: sealed at rest, rotated on command, the next key published in the JWKS at least
 * its cache lifetime before it signs, old public keys kept until their tokens expired.
 */
class KeyRotationTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    static final Duration MAX_AGE = BrokerKeys.JWKS_MAX_AGE;

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    String agentToken;
    String taskId;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        agentToken = broker.agentToken(agent);
        taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 3600L).text("task_id");
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private JWKSet jwks() throws Exception {
        return JWKSet.parse(broker.get("/.well-known/jwks.json", null).body());
    }

    private Set<String> publishedKids() throws Exception {
        return jwks().getKeys().stream().map(JWK::getKeyID).collect(Collectors.toCollection(TreeSet::new));
    }

    private String mintedKid() throws Exception {
        return SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();
    }

    private Response rotate() {
        return broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());
    }

    private List<List<String>> keyRows() throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT kid, created_at, activated_at, retired_at, verify_until"
                        + " FROM signing_keys ORDER BY kid")) {
            while (rs.next()) {
                rows.add(List.of(rs.getString(1), String.valueOf(rs.getObject(2)), String.valueOf(rs.getObject(3)),
                        String.valueOf(rs.getObject(4)), String.valueOf(rs.getObject(5))));
            }
        }
        return rows;
    }

    @Test
    void nextKeyIsPublishedBeforeAnyTokenIsSignedWithIt() throws Exception {
        String signing = mintedKid();
        Set<String> published = publishedKids();

        assertThat(published).hasSize(2).contains(signing);
        String next = published.stream().filter(kid -> !kid.equals(signing)).findFirst().orElseThrow();
        clock.advance(MAX_AGE);
        Response rotated = rotate();

        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.text("active_kid")).isEqualTo(next);
        assertThat(mintedKid()).isEqualTo(next);
        assertThat(rotated.text("retired_kid")).isEqualTo(signing);
        assertThat(rotated.text("next_kid")).isNotIn(signing, next);
        assertThat(publishedKids()).containsExactlyInAnyOrder(signing, next, rotated.text("next_kid"));
    }

    @Test
    void afterRotationEveryTokenIsSignedByAKidPublishedAtLeastMaxAgeEarlier() throws Exception {
        Map<String, Instant> firstPublished = new HashMap<>();
        for (String kid : publishedKids()) {
            firstPublished.putIfAbsent(kid, clock.instant());
        }
        for (int rotation = 0; rotation < 3; rotation++) {
            clock.advance(MAX_AGE);
            assertThat(rotate().status()).isEqualTo(200);
            for (String kid : publishedKids()) {
                firstPublished.putIfAbsent(kid, clock.instant());
            }

            String signer = mintedKid();

            assertThat(firstPublished.get(signer)).as("first published %s", signer)
                    .isBeforeOrEqualTo(clock.instant().minus(MAX_AGE));
        }
    }

    @Test
    void verifierCachingTheJwksForItsMaxAgeNeverMeetsAnUnknownKid() throws Exception {
        Response first = broker.get("/.well-known/jwks.json", null);
        Duration maxAge = Duration.ofSeconds(Long.parseLong(first.headers().firstValue("Cache-Control").orElseThrow()
                .replaceAll(".*max-age=(\\d+).*", "$1")));
        JWKSet cached = JWKSet.parse(first.body());
        Instant fetchedAt = clock.instant();
        int rotations = 0;
        for (int second = 0; second < 4 * maxAge.toSeconds(); second++) {
            clock.advance(Duration.ofSeconds(1));
            if (rotate().status() == 200) {
                rotations++;
            }
            if (!clock.instant().isBefore(fetchedAt.plus(maxAge))) {
                cached = jwks();
                fetchedAt = clock.instant();
            }

            String signer = mintedKid();

            assertThat(cached.getKeyByKeyId(signer)).as("kid %s in the JWKS cached at %s", signer, fetchedAt)
                    .isNotNull();
        }
        assertThat(rotations).isGreaterThanOrEqualTo(3);
    }

    @Test
    void rotationWithinMaxAgeOfPublishingTheNextKeyIsRefusedAndChangesNothing() throws Exception {
        String signing = mintedKid();
        Set<String> published = publishedKids();
        String next = published.stream().filter(kid -> !kid.equals(signing)).findFirst().orElseThrow();
        List<List<String>> rows = keyRows();
        clock.advance(MAX_AGE.minusSeconds(1));

        Response refused = rotate();

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("type")).isEqualTo("urn:stint:problem:key-rotation-too-soon");
        assertThat(refused.text("detail")).isEqualTo("key rotation rejected: the next signing key " + next
                + " has been in the JWKS for 59 s, and verifiers may cache the JWKS for 60 s, so some may not know it"
                + " yet; rotation is safe from 2026-11-24T10:01:00Z (in 1 s); nothing changed");
        assertThat(mintedKid()).isEqualTo(signing);
        assertThat(publishedKids()).isEqualTo(published);
        assertThat(keyRows()).isEqualTo(rows);
        clock.advance(Duration.ofSeconds(1));
        assertThat(rotate().status()).isEqualTo(200);
    }

    @Test
    void secondRotationWithinMaxAgeIsRefusedUntilTheNewNextKeyHasBeenPublishedThatLong() throws Exception {
        clock.advance(MAX_AGE);
        Response first = rotate();
        List<List<String>> rows = keyRows();
        clock.advance(MAX_AGE.minusSeconds(1));

        Response second = rotate();

        assertThat(second.status()).isEqualTo(409);
        assertThat(second.text("detail")).contains(first.text("next_kid"))
                .contains("rotation is safe from " + first.text("next_rotation_from"));
        assertThat(first.text("next_rotation_from")).isEqualTo(START.plus(MAX_AGE).plus(MAX_AGE).toString());
        assertThat(mintedKid()).isEqualTo(first.text("active_kid"));
        assertThat(keyRows()).isEqualTo(rows);
        clock.advance(Duration.ofSeconds(1));
        assertThat(rotate().text("active_kid")).isEqualTo(first.text("next_kid"));
    }

    @Test
    void refusedRotationIsAudited() throws Exception {
        rotate();

        Response audit = broker.get("/v1/audit?limit=1000", broker.adminToken());

        List<com.fasterxml.jackson.databind.JsonNode> rotations = new ArrayList<>();
        audit.json().get("records").forEach(record -> {
            if (record.get("action").asText().equals("keys.rotate")) {
                rotations.add(record);
            }
        });
        assertThat(rotations).singleElement().satisfies(record -> {
            assertThat(record.get("decision").asText()).isEqualTo("deny");
            assertThat(record.get("reason").asText()).startsWith("key rotation rejected: the next signing key");
        });
    }

    @Test
    void rotationSignsNewTokensWithNewKeyAndKeepsOldKeyPublished() throws Exception {
        String before = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();
        clock.advance(MAX_AGE);

        Response rotated = broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());
        String after = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();

        assertThat(rotated.status()).isEqualTo(200);
        assertThat(after).isEqualTo(rotated.text("active_kid")).isNotEqualTo(before);
        assertThat(jwks().getKeyByKeyId(before)).isNotNull();
        assertThat(jwks().getKeyByKeyId(after)).isNotNull();
    }

    @Test
    void tokenSignedBeforeRotationStaysValidUntilItExpires() throws Exception {
        String old = broker.mint(agentToken, taskId).text("access_token");
        clock.advance(MAX_AGE);

        broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());

        assertThat(broker.introspect(old).json().get("active").asBoolean()).isTrue();
    }

    @Test
    void retiredKeyLeavesTheJwksOnceEveryTokenItSignedHasExpired() throws Exception {
        String before = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();
        clock.advance(MAX_AGE);
        broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());

        // Task tokens live 5 minutes; verifiers get 2 minutes of leeway on top.
        clock.advance(Duration.ofMinutes(7).minusSeconds(1));
        broker.restart();
        assertThat(jwks().getKeyByKeyId(before)).isNotNull();

        clock.advance(Duration.ofSeconds(1));
        broker.restart();
        assertThat(jwks().getKeyByKeyId(before)).isNull();
    }

    @Test
    void concurrentRotationsLeaveExactlyOneActiveAndOneNextKeyAndTheBrokerRestarts() throws Exception {
        clock.advance(MAX_AGE);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<Response>> rotations = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rotations.add(pool.submit(() -> broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken())));
        }
        List<Integer> statuses = new java.util.ArrayList<>();
        for (var rotation : rotations) {
            statuses.add(rotation.get().status());
        }
        pool.shutdown();

        broker.restart();

        assertThat(statuses).contains(200).allMatch(status -> status == 200 || status == 409);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(activated_at), COUNT(*) - COUNT(activated_at)"
                        + " FROM signing_keys WHERE retired_at IS NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).as("active keys").isEqualTo(1);
            assertThat(rs.getInt(2)).as("next keys").isEqualTo(1);
        }
        assertThat(broker.mint(agentToken, taskId).status()).isEqualTo(200);
    }

    @Test
    void rotationNeedsTheAdminCredential() {
        Response refused = broker.postRaw("/v1/keys/rotate", null, new byte[0], agentToken);

        assertThat(refused.status()).isEqualTo(403);
    }

    @Test
    void dataDirectoryHoldsNoPrivateKeyOrBearerSecretInClear() throws Exception {
        String token = broker.mint(agentToken, taskId).text("access_token");
        StringBuilder everything = new StringBuilder();
        try (var files = Files.list(dataDir)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("admin.token")
                    && !f.getFileName().toString().equals("master.key")).toList()) {
                everything.append(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(everything).doesNotContain("\"d\":").doesNotContain(broker.adminToken())
                .doesNotContain(agentToken).doesNotContain(token);
    }

    @Test
    void privateKeysAreSealedAtRest() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT public_jwk, sealed_private_jwk FROM signing_keys")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).doesNotContain("\"d\"");
                assertThat(rs.getString(2)).doesNotContain("\"d\"").doesNotContain("{");
            }
        }
    }
}
