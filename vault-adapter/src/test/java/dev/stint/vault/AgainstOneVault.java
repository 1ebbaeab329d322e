package dev.stint.vault;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Tests of one engine against one stubbed Vault, reset before each test. */
abstract class AgainstOneVault {

    static VaultStub vault;
    VaultDatabaseEngine engine;

    @BeforeAll
    static void startVault() {
        vault = new VaultStub();
    }

    @AfterAll
    static void stopVault() {
        vault.close();
    }

    @BeforeEach
    void openEngine() {
        vault.server.resetAll();
        engine = new VaultDatabaseEngine(vault.connection());
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }
}
