package dev.stint.broker.policy;

import static dev.stint.broker.policy.PolicyFixtures.agent;
import static dev.stint.broker.policy.PolicyFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.deployment.BackendProvider;
import dev.stint.broker.deployment.ConnectionCatalog;
import dev.stint.token.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy file that changes on disk: good versions take effect, bad ones are reported and ignored. */
class ReloadingPolicyTest {

    private static final String V1 = """
            tiers:
              dev: { max_ttl: 8h, default_ttl: 1h }
            grants:
              demo-agent:
                dev: ["db:orders:read"]
            """;
    /** V1 plus a write grant. */
    private static final String V2 = """
            tiers:
              dev: { max_ttl: 8h, default_ttl: 1h }
            grants:
              demo-agent:
                dev: ["db:orders:read", "db:orders:write"]
            """;
    private static final String BROKEN = """
            tiers:
              dev: { max_ttl: 15x, default_ttl: 1h }
            grants:
              demo-agent:
                dev: ["db:orders:read", "db:orders:write"]
            """;
    private static final String BROKEN_MESSAGE =
            "policy.yaml:2:19: tiers.dev.max_ttl: '15x' is not a duration (use s, m, h or d, e.g. 15m or 1h30m)";

    private static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");
    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @TempDir
    Path dir;

    private Path file;
    private final Agent demo = agent("demo-agent", "dev");

    /** What the policy logs, captured: the rejections these tests provoke are asserted, not printed. */
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(ReloadingPolicy.class);

    @BeforeEach
    void writeFirstVersion() throws IOException {
        file = dir.resolve("policy.yaml");
        write(V1, T0);
        logged.start();
        log.addAppender(logged);
        log.setAdditive(false);
    }

    @AfterEach
    void restoreLogging() {
        log.detachAppender(logged);
        log.setAdditive(true);
    }

    private void write(String text, Instant modified) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private boolean mayWrite(ReloadingPolicy policy) {
        return policy.decide(request(demo, "dev", null, NOW, "db:orders:write")).allowed();
    }

    @Test
    void loadsTheFileAndDecidesFromIt() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);

        assertThat(policy.decide(request(demo, "dev", null, NOW, "db:orders:read")).allowed()).isTrue();
        assertThat(mayWrite(policy)).isFalse();
        assertThat(policy.tier(new Tier("dev"))).map(TierPolicy::maxTtl).contains(Duration.ofHours(8));
        assertThat(policy.document().grants()).containsOnlyKeys("demo-agent");
        assertThat(policy.lastError()).isEmpty();
    }

    @Test
    void loadRefusesAnInvalidFile() throws Exception {
        write(BROKEN, T0);

        assertThatThrownBy(() -> ReloadingPolicy.load(file))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage(BROKEN_MESSAGE);
    }

    @Test
    void loadRefusesAMissingFile() {
        assertThatThrownBy(() -> ReloadingPolicy.load(dir.resolve("absent.yaml")))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageStartingWith("absent.yaml: cannot be read: ");
    }

    @Test
    void unchangedFileIsNotReloaded() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);

        assertThat(policy.reloadIfChanged()).isFalse();
        assertThat(policy.lastError()).isEmpty();
    }

    @Test
    void changedFileTakesEffect() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(V2, T0.plusSeconds(10));

        assertThat(policy.reloadIfChanged()).isTrue();
        assertThat(mayWrite(policy)).isTrue();
        assertThat(policy.document().grants().get("demo-agent").get(new Tier("dev"))).hasSize(2);
        assertThat(policy.lastError()).isEmpty();
    }

    @Test
    void changedFileIsReloadedOnlyOnce() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(V2, T0.plusSeconds(10));

        assertThat(policy.reloadIfChanged()).isTrue();
        assertThat(policy.reloadIfChanged()).isFalse();
    }

    @Test
    void changeOfSizeAloneIsNoticedEvenWithTheSameModificationTime() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(V2, T0);

        assertThat(policy.reloadIfChanged()).isTrue();
        assertThat(mayWrite(policy)).isTrue();
    }

    @Test
    void invalidFileKeepsTheOldPolicyAndReportsWhy() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(BROKEN, T0.plusSeconds(10));

        assertThat(policy.reloadIfChanged()).isFalse();
        assertThat(mayWrite(policy)).isFalse();
        assertThat(policy.tier(new Tier("dev"))).map(TierPolicy::maxTtl).contains(Duration.ofHours(8));
        assertThat(policy.lastError()).contains(BROKEN_MESSAGE);
    }

    @Test
    void rejectedFileIsLoggedOnceAsAnErrorWhileItIsUnchanged() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(BROKEN, T0.plusSeconds(10));

        policy.reloadIfChanged();
        policy.reloadIfChanged();

        assertThat(logged.list).hasSize(1);
        assertThat(logged.list.get(0).getLevel()).isEqualTo(Level.ERROR);
        assertThat(logged.list.get(0).getFormattedMessage())
                .isEqualTo("policy file rejected, keeping the previous policy: " + BROKEN_MESSAGE);
    }

    @Test
    void invalidFileStaysReportedWhileItIsUnchanged() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(BROKEN, T0.plusSeconds(10));
        policy.reloadIfChanged();

        assertThat(policy.reloadIfChanged()).isFalse();
        assertThat(policy.lastError()).contains(BROKEN_MESSAGE);
        assertThat(mayWrite(policy)).isFalse();
    }

    @Test
    void fixingTheFileClearsTheErrorAndTakesEffect() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        write(BROKEN, T0.plusSeconds(10));
        policy.reloadIfChanged();
        write(V2, T0.plusSeconds(20));

        assertThat(policy.reloadIfChanged()).isTrue();
        assertThat(policy.lastError()).isEmpty();
        assertThat(mayWrite(policy)).isTrue();
    }

    @Test
    void deletedFileKeepsTheOldPolicyAndReportsWhy() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        Files.delete(file);

        assertThat(policy.reloadIfChanged()).isFalse();
        assertThat(policy.lastError()).hasValueSatisfying(
                error -> assertThat(error).startsWith("policy.yaml: cannot be read: "));
        assertThat(policy.decide(request(demo, "dev", null, NOW, "db:orders:read")).allowed()).isTrue();
    }

    @Test
    void fileRestoredAfterADeletionWithNewContentTakesEffectAndClearsTheError() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        Files.delete(file);
        policy.reloadIfChanged();
        write(V2, T0.plusSeconds(10));

        assertThat(policy.reloadIfChanged()).isTrue();
        assertThat(policy.lastError()).isEmpty();
    }

    @Test
    void fileRestoredUnchangedAfterADeletionClearsTheError() throws Exception {
        ReloadingPolicy policy = ReloadingPolicy.load(file);
        Files.delete(file);
        policy.reloadIfChanged();
        write(V1, T0);

        assertThat(policy.reloadIfChanged()).isFalse();
        assertThat(policy.lastError()).isEmpty();
    }

    // --- database roles are checked against the same deployment at every reload -------------

    private static final ConnectionCatalog CATALOG = ConnectionCatalog.of(
            new ConnectionCatalog.Connection("orders-dev", BackendProvider.POSTGRES, new Tier("dev")),
            new ConnectionCatalog.Connection("orders-prod", BackendProvider.POSTGRES, new Tier("prod")));

    private static String withRole(String connection) {
        return V1 + """
                database_roles:
                  orders-readonly:
                    scope: db:orders:read
                    dev: { provider: postgres, connection: %s, grants: "SELECT ON TABLE orders" }
                """.formatted(connection);
    }

    @Test
    void roleLeavingOutItsConnectionIsResolvedAgainstTheDeploymentAtLoad() throws Exception {
        write(withRole("orders-dev").replace("connection: orders-dev, ", ""), T0);

        ReloadingPolicy policy = ReloadingPolicy.load(file, CATALOG);

        assertThat(policy.databaseRole("orders-readonly", new Tier("dev")).orElseThrow().connection())
                .contains("orders-dev");
    }

    @Test
    void reloadedVersionIsCheckedAgainstTheSameDeployment() throws Exception {
        write(withRole("orders-dev"), T0);
        ReloadingPolicy policy = ReloadingPolicy.load(file, CATALOG);
        write(withRole("orders-prod"), T0.plusSeconds(10));

        assertThat(policy.reloadIfChanged()).isFalse();
        assertThat(policy.lastError()).contains("policy.yaml:9:44: database_roles.orders-readonly.dev.connection:"
                + " connection orders-prod serves tier prod, not dev: a dev role cannot use a prod database");
        assertThat(policy.databaseRole("orders-readonly", new Tier("dev")).orElseThrow().connection())
                .contains("orders-dev");
    }

    @Test
    void loadWithoutDeploymentRefusesANamedConnection() throws Exception {
        write(withRole("orders-dev"), T0);

        assertThatThrownBy(() -> ReloadingPolicy.load(file))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageContaining("connection orders-dev is not defined under backends in the deployment file");
    }
}
