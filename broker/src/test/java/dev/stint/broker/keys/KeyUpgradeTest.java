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
import dev.stint.token.keys.KeySealer;
import dev.stint.token.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker upgraded from schema V3 (one active key, no next key) keeps signing with its active
 * key, publishes a next key at start and rotates to it only once it has been published for the
 * JWKS max-age.
 */
class KeyUpgradeTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    SigningKey active = SigningKey.generate(START.minus(Duration.ofDays(3)));
    SigningKey retired = SigningKey.generate(START.minus(Duration.ofDays(4)));

    @BeforeEach
    void storeAtSchemaV3() throws Exception {
        String url = "jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME);
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/sqlite").target("3").load()
                .migrate();
        KeySealer sealer = new KeySealer(MasterKey.loadOrCreate(dataDir.resolve("master.key")));
        try (Connection c = DriverManager.getConnection(url)) {
            insertV3(c, sealer, active, null, null);
            insertV3(c, sealer, retired, START.minusSeconds(60), START.plus(Duration.ofMinutes(6)));
        }
    }

    private static void insertV3(Connection c, KeySealer sealer, SigningKey key, Instant retiredAt, Instant verifyUntil)
            throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO signing_keys (kid, public_jwk, sealed_private_jwk,"
                + " created_at, retired_at, verify_until) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, key.kid());
            ps.setString(2, key.publicJwk().toJSONString());
            ps.setString(3, sealer.seal(key.privateJwk().toJSONString().getBytes(StandardCharsets.UTF_8),
                    BrokerKeys.aad(key.kid())));
            ps.setLong(4, key.createdAt().toEpochMilli());
            ps.setObject(5, retiredAt == null ? null : retiredAt.toEpochMilli());
            ps.setObject(6, verifyUntil == null ? null : verifyUntil.toEpochMilli());
            ps.executeUpdate();
        }
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void upgradedBrokerKeepsSigningWithItsActiveKeyAndPublishesANextKeyAtStart() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String agentToken = broker.agentToken(agent);
        String taskId = broker.openTask(agentToken, "dev", "[\"db:orders:read\"]", 3600L).text("task_id");

        String signer = SignedJWT.parse(broker.mint(agentToken, taskId).text("access_token")).getHeader().getKeyID();

        assertThat(signer).isEqualTo(active.kid());
        JWKSet jwks = JWKSet.parse(broker.get("/.well-known/jwks.json", null).body());
        assertThat(jwks.getKeys()).extracting(JWK::getKeyID).hasSize(3).contains(active.kid(), retired.kid());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedStore.FILE_NAME));
                PreparedStatement ps = c.prepareStatement("SELECT kid, created_at, activated_at FROM signing_keys")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long expected = rs.getString(1).equals(active.kid()) || rs.getString(1).equals(retired.kid())
                            ? rs.getLong(2) : 0;
                    assertThat(rs.getLong(3)).as("activated_at of %s", rs.getString(1)).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void upgradedBrokerRotatesToItsNewNextKeyOnlyOnceItHasBeenPublishedForTheMaxAge() throws Exception {
        broker = BrokerHarness.start(dataDir, clock);
        JWKSet jwks = JWKSet.parse(broker.get("/.well-known/jwks.json", null).body());
        String next = jwks.getKeys().stream().map(JWK::getKeyID)
                .filter(kid -> !kid.equals(active.kid()) && !kid.equals(retired.kid())).findFirst().orElseThrow();
        clock.advance(BrokerKeys.JWKS_MAX_AGE.minusSeconds(1));

        Response tooSoon = broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());
        clock.advance(Duration.ofSeconds(1));
        Response rotated = broker.postRaw("/v1/keys/rotate", null, new byte[0], broker.adminToken());

        assertThat(tooSoon.status()).isEqualTo(409);
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.text("active_kid")).isEqualTo(next);
        assertThat(rotated.text("retired_kid")).isEqualTo(active.kid());
    }
}
