package dev.stint.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Against a real Vault or OpenBao, when {@code VAULT_ADDR} and {@code VAULT_TOKEN} are set: a
 * database secrets engine at {@code VAULT_DB_MOUNT} (default {@code database}) with a role
 * {@code VAULT_DB_ROLE} (default {@code readonly}), and {@code VAULT_NAMESPACE} if any.
 */
@EnabledIfEnvironmentVariable(named = "VAULT_ADDR", matches = ".+")
@EnabledIfEnvironmentVariable(named = "VAULT_TOKEN", matches = ".+")
class RealVaultTest {

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }

    @Test
    void issuedLeaseIsValidUntilRevokedThenInvalid() throws Exception {
        VaultConnection connection = new VaultConnection(URI.create(System.getenv("VAULT_ADDR")),
                Optional.ofNullable(System.getenv("VAULT_NAMESPACE")).filter(ns -> !ns.isBlank()),
                env("VAULT_DB_MOUNT", "database"), System.getenv("VAULT_TOKEN"), Duration.ofSeconds(10));
        Clock clock = Clock.systemUTC();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(2));

        try (VaultDatabaseEngine engine = new VaultDatabaseEngine(connection)) {
            IssuedCredentials issued = engine.issue(env("VAULT_DB_ROLE", "readonly"), deadline, clock);
            try {
                assertThat(issued.expiresAt()).isBeforeOrEqualTo(deadline);
                assertThat(engine.lookup(issued.leaseId())).isInstanceOf(LeaseLookup.Valid.class);
            } finally {
                engine.revoke(issued.leaseId());
            }
            assertThat(engine.lookup(issued.leaseId())).isEqualTo(new LeaseLookup.Invalid());
            engine.revoke(issued.leaseId());
        }
    }
}
