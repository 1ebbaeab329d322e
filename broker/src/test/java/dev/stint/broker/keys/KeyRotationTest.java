package dev.stint.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing keys: sealed at rest, rotated on command, old public keys kept until their tokens expired. */
class KeyRotationTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

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

    @Test
    void rotationSignsNewTokensWithNewKeyAndKeepsOldKeyPublished() throws Exception {
        String before = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();

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

        broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());

        assertThat(broker.introspect(old).json().get("active").asBoolean()).isTrue();
    }

    @Test
    void retiredKeyLeavesTheJwksOnceEveryTokenItSignedHasExpired() throws Exception {
        String before = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();
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
    void concurrentRotationsLeaveExactlyOneActiveKeyAndTheBrokerRestarts() throws Exception {
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
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
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
