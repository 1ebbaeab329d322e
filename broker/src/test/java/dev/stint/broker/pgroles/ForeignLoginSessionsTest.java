package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logins another system made (Vault's PostgreSQL plugin drops the role but never ends its
 * sessions): found by the oid remembered before the drop, their sessions ended, their absence checked.
 */
class ForeignLoginSessionsTest {

    static final java.util.concurrent.atomic.AtomicInteger NUMBER = new java.util.concurrent.atomic.AtomicInteger();

    /** Roles belong to the whole server: each test its own Vault-shaped name. */
    final String VAULT_USER = "v-token-orders-ro-a1b2c3d4e5-" + System.nanoTime() % 1_000_000 + "-"
            + NUMBER.incrementAndGet();
    AdminDatabase db;
    PostgresRoles roles;

    @BeforeEach
    void database() throws Exception {
        db = AdminDatabase.create();
        roles = db.roles();
        // A sessions connection's admin ends the sessions of users it did not make: pg_signal_backend.
        db.asSuperuser("GRANT pg_signal_backend TO " + db.admin);
        // As Vault's plugin would, with its own (superuser-like) connection.
        db.asSuperuser("CREATE ROLE \"" + VAULT_USER + "\" LOGIN PASSWORD 'vault-made'",
                "GRANT USAGE ON SCHEMA app TO \"" + VAULT_USER + "\"");
    }

    @AfterEach
    void clean() throws Exception {
        if (!db.roleExists(VAULT_USER)) {
            return;
        }
        db.asSuperuser("SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity WHERE usename = '" + VAULT_USER
                + "'", "DROP OWNED BY \"" + VAULT_USER + "\"", "DROP ROLE IF EXISTS \"" + VAULT_USER + "\"");
    }

    @Test
    void sessionsOfALoginVaultDroppedAreEndedByItsRememberedOid() throws Exception {
        Connection open = db.login(VAULT_USER, "vault-made");
        Optional<Long> oid = roles.oidOf(VAULT_USER);

        db.asSuperuser("DROP OWNED BY \"" + VAULT_USER + "\"", "DROP ROLE \"" + VAULT_USER + "\"");
        assertThat(open.createStatement().executeQuery("SELECT 1").next()).as("the session outlives its role").isTrue();
        roles.endSessionsAndVerifyGone(VAULT_USER, oid.orElseThrow());

        assertThatThrownBy(() -> open.createStatement().executeQuery("SELECT 1")).isInstanceOf(Exception.class);
        open.close();
    }

    @Test
    void aLoginVaultDidNotDropIsReportedNotGone() throws Exception {
        long oid = roles.oidOf(VAULT_USER).orElseThrow();

        assertThatThrownBy(() -> roles.endSessionsAndVerifyGone(VAULT_USER, oid))
                .isInstanceOf(PostgresUnavailableException.class)
                .satisfies(e -> assertThat(((PostgresUnavailableException) e).kind())
                        .isEqualTo(PostgresUnavailableException.Kind.NOT_GONE));
    }

    @Test
    void aLoginThatDoesNotExistHasNoOid() throws Exception {
        assertThat(roles.oidOf("v-token-never-made")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\"; DROP ROLE postgres; --", "a b", "", "v-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "naïve"})
    void namesThatAreNotPlainUserNamesAreRefusedBeforeAnySql(String name) {
        assertThatThrownBy(() -> roles.oidOf(name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> roles.endSessionsAndVerifyGone(name, 1L)).isInstanceOf(IllegalArgumentException.class);
    }
}
