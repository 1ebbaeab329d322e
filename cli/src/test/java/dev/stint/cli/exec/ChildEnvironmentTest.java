package dev.stint.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.sdk.DatabaseCredentials;
import dev.stint.token.Tier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The child's environment: the task's variables, nothing stale inherited, the rest untouched. */
class ChildEnvironmentTest {

    static final Instant DEADLINE = Instant.parse("2026-11-28T14:00:00Z");
    static final Path FILE = Path.of("/tmp/stint-1/token");
    static final DatabaseCredentials LOGIN = new DatabaseCredentials("stint_dev_0123456789abcdef", "p@ss w%rd",
            "lease_1", DEADLINE, "db.internal", 5433, "orders", "orders-readonly", new Tier("dev"));

    static Map<String, String> of(Map<String, String> parent, Optional<DatabaseCredentials> login) {
        return ChildEnvironment.of(parent, "tsk_1", DEADLINE, "task-token", FILE, login);
    }

    @Test
    void childGetsTheTaskVariables() {
        assertThat(of(Map.of(), Optional.empty())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "STINT_TASK_ID", "tsk_1",
                "STINT_DEADLINE", "2026-11-28T14:00:00Z",
                "STINT_TOKEN", "task-token",
                "STINT_TOKEN_FILE", "/tmp/stint-1/token"));
    }

    @Test
    void childGetsTheDatabaseLoginWithItsUrl() {
        assertThat(of(Map.of(), Optional.of(LOGIN))).containsAllEntriesOf(Map.of(
                "PGHOST", "db.internal",
                "PGPORT", "5433",
                "PGDATABASE", "orders",
                "PGUSER", "stint_dev_0123456789abcdef",
                "PGPASSWORD", "p@ss w%rd",
                "DATABASE_URL", "postgresql://stint_dev_0123456789abcdef:p%40ss%20w%25rd@db.internal:5433/orders"));
    }

    @Test
    void inheritedTaskVariablesAndTheAgentKeyAreNotPassedOn() {
        Map<String, String> env = of(Map.of("STINT_TOKEN", "stale", "STINT_DEADLINE", "old",
                "STINT_KEY_FILE", "/keys/agent.jwk", "STINT_TOKEN_FILE", "/old"), Optional.empty());

        assertThat(env).containsEntry("STINT_TOKEN", "task-token").containsEntry("STINT_DEADLINE",
                "2026-11-28T14:00:00Z").doesNotContainKey("STINT_KEY_FILE");
    }

    @Test
    void inheritedDatabaseVariablesThatWouldRedirectTheLoginAreRemoved() {
        Map<String, String> env = of(Map.of("PGHOSTADDR", "10.0.0.9", "PGSERVICE", "prod", "PGPASSFILE", "/p",
                "PGSERVICEFILE", "/s", "DATABASE_URL", "postgresql://prod", "PGUSER", "admin"), Optional.of(LOGIN));

        assertThat(env).doesNotContainKeys("PGHOSTADDR", "PGSERVICE", "PGPASSFILE", "PGSERVICEFILE")
                .containsEntry("PGUSER", "stint_dev_0123456789abcdef");
    }

    @Test
    void withoutADatabaseLoginTheInheritedDatabaseVariablesStay() {
        Map<String, String> env = of(Map.of("PGHOST", "mine", "DATABASE_URL", "postgresql://mine"), Optional.empty());

        assertThat(env).containsEntry("PGHOST", "mine").containsEntry("DATABASE_URL", "postgresql://mine");
    }

    @Test
    void everythingElseIsPassedOnAsItIs() {
        assertThat(of(Map.of("PATH", "/usr/bin", "HOME", "/root", "GITHUB_ACTIONS", "true"), Optional.of(LOGIN)))
                .containsEntry("PATH", "/usr/bin").containsEntry("HOME", "/root")
                .containsEntry("GITHUB_ACTIONS", "true");
    }
}
