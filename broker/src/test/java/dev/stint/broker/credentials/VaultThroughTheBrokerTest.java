package dev.stint.broker.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import dev.stint.broker.TestAgent;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.deployment.DeploymentFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prod task's database login through a Vault database secrets engine, over the broker's HTTP
 * API, against a stub that answers as Vault's documented API does: issued with Vault's lease,
 * revoked (sync, then confirmed by lookup) when the task ends; a dev task never reaches it.
 */
class VaultThroughTheBrokerTest {

    static final String TOKEN = "hvs.prod-token-never-shown";
    static final String VAULT_LEASE = "database/creds/orders-ro/Xb9c2fPq8Lm3";
    static final String PASSWORD = "A1a-vault-made-password";

    @TempDir
    Path dir;

    WireMockServer vault = new WireMockServer(wireMockConfig().dynamicPort());
    BrokerHarness broker;
    String agentToken;

    @BeforeEach
    void start() throws Exception {
        vault.start();
        Deployment deployment = DeploymentFile.parse("""
                backends:
                  vault:
                    vault-prod:
                      tier: prod
                      address: http://127.0.0.1:%d
                      mount: database
                      token_env: VAULT_PROD_TOKEN
                """.formatted(vault.port()), "deploy.yaml", Map.of("VAULT_PROD_TOKEN", TOKEN), dir);
        broker = BrokerHarness.start(dir.resolve("data"), BrokerHarness.SAMPLE_POLICY,
                new MutableClock(Instant.now()), o -> o.withDeployment(deployment));
        TestAgent agent = broker.registerAgent("demo-agent", "dev", "prod");
        agentToken = broker.agentToken(agent);
    }

    @AfterEach
    void stop() {
        broker.close();
        vault.stop();
    }

    private String openTask(String tier) {
        Response opened = broker.openTask(agentToken, tier, "[\"db:orders:read\"]", 600L);
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        return opened.text("task_id");
    }

    private Response ask(String task) {
        return broker.postJson("/v1/tasks/" + task + "/database-credentials", "{\"role\": \"orders-readonly\"}",
                agentToken);
    }

    private void vaultIssues() {
        vault.stubFor(get(urlEqualTo("/v1/database/creds/orders-ro")).withHeader("X-Vault-Token", equalTo(TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                        "{\"request_id\":\"8b0b5b64-6a3c-4f7e-9d5e-0c1e2a3b4c5d\",\"lease_id\":\"" + VAULT_LEASE
                                + "\",\"renewable\":true,\"lease_duration\":300,\"data\":{\"password\":\"" + PASSWORD
                                + "\",\"username\":\"v-token-orders-ro-Xb9c2fPq8Lm3-1764320000\"},"
                                + "\"wrap_info\":null,\"warnings\":null,\"auth\":null}")));
        vault.stubFor(post(urlEqualTo("/v1/sys/leases/revoke")).withHeader("X-Vault-Token", equalTo(TOKEN))
                .withRequestBody(equalToJson("{\"lease_id\":\"" + VAULT_LEASE + "\",\"sync\":true}"))
                .willReturn(aResponse().withStatus(204)));
        vault.stubFor(post(urlEqualTo("/v1/sys/leases/lookup")).withHeader("X-Vault-Token", equalTo(TOKEN))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"errors\":[\"invalid lease\"]}")));
    }

    @Test
    void aProdTaskGetsVaultsLoginAndItsEndRevokesTheVaultLease() {
        vaultIssues();
        String task = openTask("prod");

        Response issued = ask(task);

        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        assertThat(issued.text("username")).isEqualTo("v-token-orders-ro-Xb9c2fPq8Lm3-1764320000");
        assertThat(issued.text("password")).isEqualTo(PASSWORD);
        assertThat(issued.text("lease_id")).startsWith("lse_");
        assertThat(issued.text("tier")).isEqualTo("prod");
        Response ended = broker.postJson("/v1/tasks/" + task + "/end", "", agentToken);
        assertThat(ended.json().get("leases").get(0).get("state").asText()).isEqualTo("revoked");
        vault.verify(1, postRequestedFor(urlEqualTo("/v1/sys/leases/revoke"))
                .withRequestBody(equalToJson("{\"lease_id\":\"" + VAULT_LEASE + "\",\"sync\":true}")));
        vault.verify(1, postRequestedFor(urlEqualTo("/v1/sys/leases/lookup")));
    }

    @Test
    void aDevTaskNeverSendsOneRequestToTheProdVault() {
        vaultIssues();
        String task = openTask("dev");

        Response unavailable = ask(task);

        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.text("detail")).contains("tier dev");
        vault.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aSealedVaultAnswers503AndLeavesNoActiveLeaseNorItsToken() {
        vault.stubFor(get(urlEqualTo("/v1/database/creds/orders-ro")).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json").withBody("{\"errors\":[\"Vault is sealed\"]}")));
        String task = openTask("prod");

        Response unavailable = ask(task);

        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(unavailable.text("detail")).contains("vault-prod").doesNotContain(TOKEN);
        Response leases = broker.get("/v1/tasks/" + task + "/leases", agentToken);
        assertThat(leases.body()).doesNotContain("\"active\"").doesNotContain(TOKEN);
        Response audit = broker.get("/v1/audit?task_id=" + task, broker.adminToken());
        assertThat(audit.body()).contains("db.credentials").doesNotContain(TOKEN);
    }
}
