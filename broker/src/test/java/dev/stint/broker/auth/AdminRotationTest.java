package dev.stint.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/admin/rotate}: the bootstrap admin credential is replaced by one whose secret is
 * answered once and stored nowhere, so the data directory no longer holds a usable credential.
 */
class AdminRotationTest {

    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(START);
    BrokerHarness broker;
    String bootstrap;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dataDir, clock);
        bootstrap = broker.adminToken();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Response rotate(String bearer) {
        return broker.postRaw("/v1/admin/rotate", null, new byte[0], bearer);
    }

    @Test
    void afterRotationTheOldAdminTokenIsRefusedAndTheNewOneWorks() {
        Response rotated = rotate(bootstrap);

        assertThat(rotated.status()).isEqualTo(200);
        String fresh = rotated.text("admin_token");
        assertThat(fresh).startsWith("stint_admin_").isNotEqualTo(bootstrap);
        assertThat(rotated.text("rotated_at")).isEqualTo(START.toString());
        assertThat(broker.get("/v1/audit/verify", bootstrap).status()).isEqualTo(401);
        assertThat(broker.get("/v1/audit/verify", fresh).status()).isEqualTo(200);
    }

    @Test
    void rotationAnswerIsNeverCached() {
        Response rotated = rotate(bootstrap);

        assertThat(rotated.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(rotated.contentType()).startsWith("application/json");
    }

    @Test
    void rotationDeletesTheAdminTokenFileFromTheDataDirectory() {
        rotate(bootstrap);

        assertThat(dataDir.resolve("admin.token")).doesNotExist();
    }

    @Test
    void rotationIsAuditedWithoutEitherSecret() {
        String fresh = rotate(bootstrap).text("admin_token");

        Response audit = broker.get("/v1/audit?limit=1000", fresh);

        List<JsonNode> rotations = new ArrayList<>();
        audit.json().get("records").forEach(record -> {
            if (record.get("action").asText().equals("admin.rotate")) {
                rotations.add(record);
            }
        });
        assertThat(rotations).singleElement().satisfies(record -> {
            assertThat(record.get("actor").asText()).isEqualTo("admin");
            assertThat(record.get("decision").asText()).isEqualTo("allow");
        });
        assertThat(audit.body()).doesNotContain(fresh).doesNotContain(bootstrap)
                .doesNotContain(fresh.substring("stint_admin_".length()))
                .doesNotContain(bootstrap.substring("stint_admin_".length()));
    }

    @Test
    void rotatedAdminCredentialSurvivesRestartAndNoAdminTokenFileReappears() {
        String fresh = rotate(bootstrap).text("admin_token");

        broker.restart();

        assertThat(broker.get("/v1/audit/verify", fresh).status()).isEqualTo(200);
        assertThat(broker.get("/v1/audit/verify", bootstrap).status()).isEqualTo(401);
        assertThat(dataDir.resolve("admin.token")).doesNotExist();
    }

    @Test
    void rotatedCredentialCanItselfBeRotated() {
        String fresh = rotate(bootstrap).text("admin_token");

        Response again = rotate(fresh);

        assertThat(again.status()).isEqualTo(200);
        assertThat(broker.get("/v1/audit/verify", fresh).status()).isEqualTo(401);
        assertThat(broker.get("/v1/audit/verify", again.text("admin_token")).status()).isEqualTo(200);
    }

    @Test
    void rotationNeedsTheAdminCredentialAndAnAgentChangesNothing() {
        TestAgent agent = broker.registerAgent("demo-agent", "dev");
        String agentToken = broker.agentToken(agent);

        Response refused = rotate(agentToken);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).doesNotContain("admin_token");
        assertThat(dataDir.resolve("admin.token")).exists();
        assertThat(broker.get("/v1/audit/verify", bootstrap).status()).isEqualTo(200);
    }
}
