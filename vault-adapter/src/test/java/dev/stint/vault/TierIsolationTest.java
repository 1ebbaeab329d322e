package dev.stint.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static dev.stint.vault.VaultStub.CLOCK;
import static dev.stint.vault.VaultStub.LEASE;
import static dev.stint.vault.VaultStub.NOW;
import static dev.stint.vault.VaultStub.ROLE;
import static dev.stint.vault.VaultStub.creds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One engine per tier: a dev engine never reaches the prod Vault, and each Vault only ever sees its own token. */
class TierIsolationTest {

    private static final String DEV_TOKEN = "hvs.dev-tier-token-000000000000";
    private static final String PROD_TOKEN = "hvs.prod-tier-token-11111111111";

    private VaultStub devVault;
    private VaultStub prodVault;
    private VaultDatabaseEngine dev;
    private VaultDatabaseEngine prod;

    @BeforeEach
    void startTwoTiers() {
        devVault = new VaultStub(DEV_TOKEN, Optional.empty());
        prodVault = new VaultStub(PROD_TOKEN, Optional.empty());
        for (VaultStub vault : new VaultStub[] {devVault, prodVault}) {
            vault.onCreds(ROLE, creds(LEASE, true, 300));
            vault.revokesCleanly(LEASE);
        }
        dev = new VaultDatabaseEngine(devVault.connection());
        prod = new VaultDatabaseEngine(prodVault.connection());
    }

    @AfterEach
    void stopTwoTiers() {
        dev.close();
        prod.close();
        devVault.close();
        prodVault.close();
    }

    @Test
    void devEngineNeverSendsARequestToProd() throws Exception {
        dev.issue(ROLE, NOW.plusSeconds(600), CLOCK);
        dev.lookup(LEASE);
        dev.revoke(LEASE);

        prodVault.server.verify(0, anyRequestedFor(anyUrl()));
        devVault.server.verify(4, anyRequestedFor(anyUrl()));
    }

    @Test
    void eachVaultOnlyEverSeesItsOwnToken() throws Exception {
        dev.issue(ROLE, NOW.plusSeconds(600), CLOCK);
        prod.issue(ROLE, NOW.plusSeconds(600), CLOCK);
        prod.revoke(LEASE);
        dev.revoke(LEASE);

        devVault.server.verify(3, anyRequestedFor(anyUrl()).withHeader("X-Vault-Token", equalTo(DEV_TOKEN)));
        devVault.server.verify(3, anyRequestedFor(anyUrl()));
        prodVault.server.verify(3, anyRequestedFor(anyUrl()).withHeader("X-Vault-Token", equalTo(PROD_TOKEN)));
        prodVault.server.verify(3, anyRequestedFor(anyUrl()));
    }

    @Test
    void engineNamesItsOwnVaultAndNeverItsToken() {
        assertThat(dev.toString()).isEqualTo("VaultDatabaseEngine[" + devVault.describe() + "]").doesNotContain(DEV_TOKEN);
        assertThat(dev.connection().toString()).doesNotContain(DEV_TOKEN).contains("token=(hidden)");
    }
}
