package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.stint.token.Scope;
import dev.stint.token.ScopePattern;
import dev.stint.token.Tier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy file is read strictly, and every rejection names file, line, column and key path. */
class PolicyFileLoaderTest {

    private static final Path SAMPLE = Path.of("../config/policy.yaml");
    private static final String LABEL = "policy.yaml";

    private static final Tier DEV = new Tier("dev");
    private static final Tier STAGING = new Tier("staging");
    private static final Tier PROD = new Tier("prod");

    private static PolicyDocument parse(String yaml) throws PolicyFileException {
        return PolicyFileLoader.parse(yaml, LABEL);
    }

    private static List<ScopePattern> patterns(String... texts) {
        return Stream.of(texts).map(ScopePattern::parse).toList();
    }

    // --- the sample policy -------------------------------------------------------------------

    @Test
    void sampleTiersLoadInFileOrderWithTheirLimits() throws Exception {
        PolicyDocument doc = PolicyFileLoader.load(SAMPLE);

        assertThat(doc.tiers().keySet()).containsExactly(DEV, STAGING, PROD);
        assertThat(doc.tiers().get(DEV)).isEqualTo(new TierPolicy(DEV, Duration.ofHours(8), Duration.ofHours(1)));
        assertThat(doc.tiers().get(STAGING))
                .isEqualTo(new TierPolicy(STAGING, Duration.ofHours(2), Duration.ofMinutes(30)));
        assertThat(doc.tiers().get(PROD))
                .isEqualTo(new TierPolicy(PROD, Duration.ofMinutes(15), Duration.ofMinutes(5)));
    }

    @Test
    void sampleDestructiveActionsGroupsAndGrantsLoad() throws Exception {
        PolicyDocument doc = PolicyFileLoader.load(SAMPLE);

        assertThat(doc.destructiveActions()).containsExactlyInAnyOrder("delete", "ddl", "admin");
        assertThat(doc.groups()).isEqualTo(Map.of("readers", Set.of("report-bot")));
        assertThat(doc.grants().keySet()).containsExactly("demo-agent", "cleanup-bot", "group:readers");
        assertThat(doc.grants().get("demo-agent")).containsExactly(
                Map.entry(DEV, patterns("db:*:read", "db:orders:write")),
                Map.entry(STAGING, patterns("db:orders:read")),
                Map.entry(PROD, patterns("db:orders:read", "db:orders:delete")));
        assertThat(doc.grants().get("cleanup-bot")).containsExactly(
                Map.entry(DEV, patterns("db:*:read", "db:scratch:delete")),
                Map.entry(STAGING, patterns("db:*:read")));
        assertThat(doc.grants().get("group:readers")).containsExactly(Map.entry(DEV, patterns("db:*:read")));
    }

    @Test
    void sampleApprovalsLoadPerTierAndActionClass() throws Exception {
        PolicyDocument doc = PolicyFileLoader.load(SAMPLE);

        assertThat(doc.approvals()).isEqualTo(Map.of(PROD, Map.of("write", 1, "destructive", 2)));
    }

    @Test
    void sampleFreezesLoadAsOneAbsoluteAndOneRecurringWindow() throws Exception {
        PolicyDocument doc = PolicyFileLoader.load(SAMPLE);

        assertThat(doc.freezes()).hasSize(2);
        Freeze yearEnd = doc.freezes().get(0);
        assertThat(yearEnd.tiers()).containsExactly(PROD);
        assertThat(yearEnd.from()).isEqualTo(Instant.parse("2026-12-20T00:00:00Z"));
        assertThat(yearEnd.until()).isEqualTo(Instant.parse("2027-01-04T00:00:00Z"));
        assertThat(yearEnd.schedule()).isNull();
        assertThat(yearEnd.deny()).containsExactlyInAnyOrder("write", "delete", "ddl", "admin");
        assertThat(yearEnd.reason()).isEqualTo("Year-end change freeze");

        Freeze weekend = doc.freezes().get(1);
        assertThat(weekend.tiers()).containsExactly(PROD);
        assertThat(weekend.from()).isNull();
        assertThat(weekend.until()).isNull();
        assertThat(weekend.schedule()).hasToString("0 16 * * FRI");
        assertThat(weekend.duration()).isEqualTo(Duration.ofHours(64));
        assertThat(weekend.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(weekend.deny()).containsExactlyInAnyOrder("delete", "ddl", "admin");
        assertThat(weekend.reason()).isEqualTo("No destructive changes over the weekend");
    }

    @Test
    void sampleDatabaseRolesLoadWithTheirBackendsPerTier() throws Exception {
        PolicyDocument doc = PolicyFileLoader.load(SAMPLE);

        assertThat(doc.databaseRoles()).containsOnlyKeys("orders-readonly");
        DatabaseRole role = doc.databaseRoles().get("orders-readonly");
        assertThat(role.name()).isEqualTo("orders-readonly");
        assertThat(role.scope()).isEqualTo(Scope.parse("db:orders:read"));
        // No deployment file: the roles load, their connections unresolved.
        assertThat(role.backends()).containsExactly(
                Map.entry(DEV, new PostgresRole(Optional.empty(), List.of("SELECT ON ALL TABLES IN SCHEMA public"),
                        List.of())),
                Map.entry(PROD, new VaultRole(Optional.empty(), "orders-ro")));
    }

    // --- accepted forms ----------------------------------------------------------------------

    @Test
    void onlyTiersAreRequired() throws Exception {
        PolicyDocument doc = parse("tiers:\n  dev: { max_ttl: 1h, default_ttl: 1h }\n");

        assertThat(doc.tiers()).containsOnlyKeys(DEV);
        assertThat(doc.destructiveActions()).isEmpty();
        assertThat(doc.groups()).isEmpty();
        assertThat(doc.grants()).isEmpty();
        assertThat(doc.approvals()).isEmpty();
        assertThat(doc.freezes()).isEmpty();
        assertThat(doc.databaseRoles()).isEmpty();
    }

    @ParameterizedTest(name = "{0} = {1}s")
    @CsvSource({
        "1s,       1",
        "90s,      90",
        "15m,      900",
        "1h30m,    5400",
        "2d,       172800",
        "1d2h3m4s, 93784",
        "30d,      2592000",
        "720h,     2592000",
    })
    void durationsUseDaysHoursMinutesAndSecondsInThatOrder(String text, long seconds) throws Exception {
        PolicyDocument doc = parse("tiers:\n  dev: { max_ttl: " + text + ", default_ttl: 1s }\n");

        assertThat(doc.tiers().get(DEV).maxTtl()).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void defaultTtlMayEqualMaxTtl() throws Exception {
        PolicyDocument doc = parse("tiers:\n  dev: { max_ttl: 2h, default_ttl: 120m }\n");

        assertThat(doc.tiers().get(DEV).defaultTtl()).isEqualTo(doc.tiers().get(DEV).maxTtl());
    }

    @Test
    void absoluteFreezeTimesAcceptRfc3339Offsets() throws Exception {
        PolicyDocument doc = parse("""
                tiers:
                  prod: { max_ttl: 15m, default_ttl: 5m }
                freezes:
                  - tiers: [prod]
                    from: 2026-12-20T01:00:00+01:00
                    until: 2027-01-04T00:00:00Z
                    deny: [write]
                    reason: r
                """);

        assertThat(doc.freezes().get(0).from()).isEqualTo(Instant.parse("2026-12-20T00:00:00Z"));
    }

    @Test
    void loadLabelsErrorsWithTheFileName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("team-policy.yaml");
        Files.writeString(file, "tiers:\n  dev: { max_ttl: 15x, default_ttl: 1h }\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> PolicyFileLoader.load(file))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage("team-policy.yaml:2:19: tiers.dev.max_ttl: '15x' is not a duration"
                        + " (use s, m, h or d, e.g. 15m or 1h30m)");
    }

    @Test
    void loadRefusesAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        assertThatThrownBy(() -> PolicyFileLoader.load(file))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageStartingWith("absent.yaml: cannot be read: ");
    }

    @Test
    void loadRefusesAFileLargerThanOneMebibyte(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("huge.yaml");
        Files.writeString(file, "# " + "x".repeat(PolicyFileLoader.MAX_BYTES) + "\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> PolicyFileLoader.load(file))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage("huge.yaml: larger than 1048576 bytes");
    }

    // --- rejections --------------------------------------------------------------------------

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of("unknown top-level key", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grant:
                          demo-agent: {}
                        """,
                        "policy.yaml:3:1: grant: unknown key (expected one of approval_window, approvals, database_roles,"
                                + " destructive_actions, federation, freezes, grants, groups, reauth_within, tiers)"),
                Arguments.of("unknown key inside a tier", """
                        tiers:
                          dev: { max_ttl: 8h, default_ttl: 1h, min_ttl: 1m }
                        """,
                        "policy.yaml:2:40: tiers.dev.min_ttl: unknown key (expected one of default_ttl, max_ttl)"),
                Arguments.of("repeated top-level key", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        destructive_actions: [delete]
                        destructive_actions: [ddl]
                        """,
                        "policy.yaml:4:1: destructive_actions: repeated key"),
                Arguments.of("repeated tier", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                          dev: { max_ttl: 2h, default_ttl: 1h }
                        """,
                        "policy.yaml:3:3: tiers.dev: repeated key"),
                Arguments.of("tiers missing", """
                        destructive_actions: [delete]
                        """,
                        "policy.yaml:1:1: (top level): the key 'tiers' is required"),
                Arguments.of("no tier defined", """
                        tiers: {}
                        """,
                        "policy.yaml:1:8: tiers: define at least one tier"),
                Arguments.of("tier missing max_ttl (flow)", """
                        tiers:
                          dev: { default_ttl: 1h }
                        """,
                        "policy.yaml:2:8: tiers.dev: the key 'max_ttl' is required"),
                Arguments.of("tier missing max_ttl (block)", """
                        tiers:
                          dev:
                            default_ttl: 1h
                        """,
                        "policy.yaml:3:5: tiers.dev: the key 'max_ttl' is required"),
                Arguments.of("tier missing default_ttl", """
                        tiers:
                          dev: { max_ttl: 1h }
                        """,
                        "policy.yaml:2:8: tiers.dev: the key 'default_ttl' is required"),
                Arguments.of("tier is not a mapping", """
                        tiers:
                          dev: 1h
                        """,
                        "policy.yaml:2:8: tiers.dev: must be a mapping of keys to values"),
                Arguments.of("duration with unknown unit", """
                        tiers:
                          dev: { max_ttl: 15x, default_ttl: 1h }
                        """,
                        "policy.yaml:2:19: tiers.dev.max_ttl: '15x' is not a duration"
                                + " (use s, m, h or d, e.g. 15m or 1h30m)"),
                Arguments.of("duration quoted empty", """
                        tiers:
                          dev: { max_ttl: '', default_ttl: 1h }
                        """,
                        "policy.yaml:2:19: tiers.dev.max_ttl: '' is not a duration"
                                + " (use s, m, h or d, e.g. 15m or 1h30m)"),
                Arguments.of("duration left blank", """
                        tiers:
                          dev:
                            max_ttl:
                            default_ttl: 1h
                        """,
                        "policy.yaml:3:13: tiers.dev.max_ttl: '' is not a duration"
                                + " (use s, m, h or d, e.g. 15m or 1h30m)"),
                Arguments.of("duration units out of order", """
                        tiers:
                          dev: { max_ttl: 30m1h, default_ttl: 1m }
                        """,
                        "policy.yaml:2:19: tiers.dev.max_ttl: '30m1h' is not a duration"
                                + " (use s, m, h or d, e.g. 15m or 1h30m)"),
                Arguments.of("duration zero", """
                        tiers:
                          dev: { max_ttl: 0s, default_ttl: 1h }
                        """,
                        "policy.yaml:2:19: tiers.dev.max_ttl: must be longer than zero"),
                Arguments.of("default_ttl zero", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 0m }
                        """,
                        "policy.yaml:2:36: tiers.dev.default_ttl: must be longer than zero"),
                Arguments.of("default_ttl greater than max_ttl", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 61m }
                        """,
                        "policy.yaml:2:36: tiers.dev.default_ttl: must not exceed max_ttl"),
                Arguments.of("max_ttl greater than 30d", """
                        tiers:
                          dev: { max_ttl: 30d1s, default_ttl: 1h }
                        """,
                        "policy.yaml:2:19: tiers.dev.max_ttl: must be at most 30d"),
                Arguments.of("tier name with capitals", """
                        tiers:
                          Prod: { max_ttl: 1h, default_ttl: 1h }
                        """,
                        "policy.yaml:2:3: tiers.Prod: tier names are 1-32 lower-case letters, digits or '-',"
                                + " starting with a letter"),
                Arguments.of("tier name starting with a digit", """
                        tiers:
                          1dev: { max_ttl: 1h, default_ttl: 1h }
                        """,
                        "policy.yaml:2:3: tiers.1dev: tier names are 1-32 lower-case letters, digits or '-',"
                                + " starting with a letter"),
                Arguments.of("grants for an undefined tier", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          demo-agent:
                            qa: ["db:*:read"]
                        """,
                        "policy.yaml:5:5: grants.demo-agent.qa: tier 'qa' is not defined under tiers"),
                Arguments.of("grants for an undefined group", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          group:ops:
                            dev: ["db:*:read"]
                        """,
                        "policy.yaml:4:3: grants.group:ops: group 'ops' is not defined under groups"),
                Arguments.of("grants for a malformed agent id", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          "x'; DROP TABLE agents;--":
                            dev: ["db:*:read"]
                        """,
                        "policy.yaml:4:3: grants.x'; DROP TABLE agents;--: not an agent id or group:<name>:"
                                + " agent_id must be 1-64 letters, digits, '.', '_' or '-', starting with a letter"
                                + " or digit"),
                Arguments.of("grants of a scope pattern with two segments", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          demo-agent:
                            dev: ["db:*:read", "db:orders"]
                        """,
                        "policy.yaml:5:24: grants.demo-agent.dev: 'db:orders': scope pattern must have the form"
                                + " <kind>:<resource>:<action>, '*' matching one segment"),
                Arguments.of("grants of a scope pattern with a partial wildcard", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          demo-agent:
                            dev: ["db:ord*:read"]
                        """,
                        "policy.yaml:5:11: grants.demo-agent.dev: 'db:ord*:read': scope resource must be 1-64"
                                + " lower-case letters, digits, '_', '.' or '-'"),
                Arguments.of("grants of a scope pattern in capitals", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          demo-agent:
                            dev: ["DB:x:read"]
                        """,
                        "policy.yaml:5:11: grants.demo-agent.dev: 'DB:x:read': scope kind must be 1-64"
                                + " lower-case letters, digits, '_', '.' or '-'"),
                Arguments.of("grants as a single string instead of a list", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        grants:
                          demo-agent:
                            dev: "db:*:read"
                        """,
                        "policy.yaml:5:10: grants.demo-agent.dev: must be a list"),
                Arguments.of("group with a malformed member", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        groups:
                          readers: [report-bot, "bad bot"]
                        """,
                        "policy.yaml:4:25: groups.readers: agent_id must be 1-64 letters, digits, '.', '_' or '-',"
                                + " starting with a letter or digit"),
                Arguments.of("destructive action not a name", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        destructive_actions: [delete, "Drop Table"]
                        """,
                        "policy.yaml:3:31: destructive_actions: 'Drop Table' is not an action name"),
                Arguments.of("approvals quorum not a number", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        approvals:
                          prod: { write: one }
                        """,
                        "policy.yaml:4:18: approvals.prod.write: 'one' is not a whole number"),
                Arguments.of("approvals quorum negative", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        approvals:
                          prod: { write: -1 }
                        """,
                        "policy.yaml:4:18: approvals.prod.write: a quorum is between 0 and 10 approvers"),
                Arguments.of("approvals quorum 11", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        approvals:
                          prod: { write: 1, destructive: 11 }
                        """,
                        "policy.yaml:4:34: approvals.prod.destructive: a quorum is between 0 and 10 approvers"),
                Arguments.of("approvals for an undefined tier", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        approvals:
                          production: { write: 1 }
                        """,
                        "policy.yaml:4:3: approvals.production: tier 'production' is not defined under tiers"),
                Arguments.of("freezes not a list", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          tiers: [prod]
                        """,
                        "policy.yaml:4:3: freezes: must be a list of freeze windows"),
                Arguments.of("freeze with both from and schedule", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            schedule: "0 16 * * FRI"
                            duration: 64h
                            time_zone: Europe/Berlin
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:5:11: freezes[0].from: a freeze has either from/until or"
                                + " schedule/duration/time_zone, not both"),
                Arguments.of("absolute freeze with a time zone", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            time_zone: Europe/Berlin
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:7:16: freezes[0].time_zone: duration and time_zone belong to a recurring"
                                + " freeze with a schedule"),
                Arguments.of("break-glass quorum 0", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                            reason: r
                            break_glass: { quorum: 0 }
                        """,
                        "policy.yaml:9:28: freezes[0].break_glass.quorum: a break-glass quorum is between 1 and 10 approvers"),
                Arguments.of("break-glass quorum 11", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                            reason: r
                            break_glass: { quorum: 11 }
                        """,
                        "policy.yaml:9:28: freezes[0].break_glass.quorum: a break-glass quorum is between 1 and 10 approvers"),
                Arguments.of("break-glass quorum not a number", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                            reason: r
                            break_glass: { quorum: two }
                        """,
                        "policy.yaml:9:28: freezes[0].break_glass.quorum: 'two' is not a whole number"),
                Arguments.of("break-glass unknown key", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                            reason: r
                            break_glass: { quorum: 2, approvers: 2 }
                        """,
                        "policy.yaml:9:31: freezes[0].break_glass.approvers: unknown key (expected one of quorum)"),
                Arguments.of("freeze until before from", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2026-12-19T23:59:59Z
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:6:12: freezes[0].until: must be after from"),
                Arguments.of("freeze until equal to from", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2026-12-20T00:00:00Z
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:6:12: freezes[0].until: must be after from"),
                Arguments.of("freeze from without offset", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:5:11: freezes[0].from: '2026-12-20' is not an RFC 3339 time such as"
                                + " 2026-12-20T00:00:00Z"),
                Arguments.of("freeze without reason", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                        """,
                        "policy.yaml:4:5: freezes[0]: the key 'reason' is required"),
                Arguments.of("freeze of an undefined tier", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod, live]
                            from: 2026-12-20T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:4:19: freezes[0].tiers: tier 'live' is not defined under tiers"),
                Arguments.of("freeze with a bad time zone", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            schedule: "0 16 * * FRI"
                            duration: 64h
                            time_zone: Mars/Olympus
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:7:16: freezes[0].time_zone: 'Mars/Olympus' is not an IANA time zone such as"
                                + " Europe/Berlin"),
                Arguments.of("freeze schedule with 4 fields", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            schedule: "0 16 * *"
                            duration: 64h
                            time_zone: Europe/Berlin
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:5:15: freezes[0].schedule: a schedule has five fields: minute hour"
                                + " day-of-month month day-of-week"),
                Arguments.of("freeze schedule with minute 60", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            schedule: "60 16 * * FRI"
                            duration: 64h
                            time_zone: Europe/Berlin
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:5:15: freezes[0].schedule: minute value 60 is outside 0-59"),
                Arguments.of("freeze schedule with weekday FRX", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            schedule: "0 16 * * FRX"
                            duration: 64h
                            time_zone: Europe/Berlin
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:5:15: freezes[0].schedule: day of week value 'FRX' is not a number or a name"
                                + " like MON"),
                Arguments.of("recurring freeze longer than 14d", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            schedule: "0 16 * * FRI"
                            duration: 14d1m
                            time_zone: Europe/Berlin
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:6:15: freezes[0].duration: a recurring freeze lasts at most 14d"),
                Arguments.of("recurring freeze without time zone", """
                        tiers:
                          prod: { max_ttl: 15m, default_ttl: 5m }
                        freezes:
                          - tiers: [prod]
                            schedule: "0 16 * * FRI"
                            duration: 64h
                            deny: [delete]
                            reason: r
                        """,
                        "policy.yaml:4:5: freezes[0]: the key 'time_zone' is required"),
                Arguments.of("database role with provider mysql", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        database_roles:
                          orders-readonly:
                            scope: db:orders:read
                            dev: { provider: mysql }
                        """,
                        "policy.yaml:6:22: database_roles.orders-readonly.dev.provider: must be postgres or vault"),
                Arguments.of("database role without scope", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        database_roles:
                          orders-readonly:
                            dev: { provider: postgres }
                        """,
                        "policy.yaml:5:5: database_roles.orders-readonly: the key 'scope' is required"),
                Arguments.of("database role with a wildcard scope", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        database_roles:
                          orders-readonly:
                            scope: "db:*:read"
                            dev: { provider: postgres }
                        """,
                        "policy.yaml:5:12: database_roles.orders-readonly.scope: scope resource must be 1-64"
                                + " lower-case letters, digits, '_', '.' or '-'"),
                Arguments.of("not YAML: tab indentation", "tiers:\n\tdev: { max_ttl: 1h, default_ttl: 1h }\n",
                        "policy.yaml:2:1: not valid YAML: found character '\\t(TAB)' that cannot start any token."
                                + " (Do not use \\t(TAB) for indentation)"),
                Arguments.of("not YAML: unclosed bracket", """
                        tiers:
                          dev: { max_ttl: 1h, default_ttl: 1h }
                        destructive_actions: [delete, ddl
                        """,
                        "policy.yaml:4:1: not valid YAML: expected ',' or ']', but got <stream end>"),
                Arguments.of("empty file", "",
                        "policy.yaml: the policy file is empty"),
                Arguments.of("only a comment", "# policy goes here\n",
                        "policy.yaml: the policy file is empty"),
                Arguments.of("top level a list", """
                        - tiers
                        - grants
                        """,
                        "policy.yaml:1:1: (top level): must be a mapping of keys to values"),
                Arguments.of("top level a scalar", "tiers\n",
                        "policy.yaml:1:1: (top level): must be a mapping of keys to values"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsInvalidPolicyWithALinePreciseMessage(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage(expected);
    }

    @Test
    void refusesABillionLaughsAliasBombQuicklyWithoutExpandingIt() {
        StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ", ").append('*').append((char) (c - 1));
            }
            bomb.append("]\n");
        }
        String yaml = "tiers:\n  dev: { max_ttl: 1h, default_ttl: 1h }\n" + bomb;

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(PolicyFileException.class)
                .hasMessage("policy.yaml: not valid YAML: Number of aliases for non-scalar nodes exceeds the"
                        + " specified max=20"));
    }

    // --- line precision for entries that are not the first of their mapping ------------------

    @Test
    void malformedTierNameIsReportedAtItsOwnLine() {
        String yaml = """
                tiers:
                  dev: { max_ttl: 1h, default_ttl: 1h }
                  Prod: { max_ttl: 1h, default_ttl: 1h }
                """;

        assertThatThrownBy(() -> parse(yaml))
                .hasMessage("policy.yaml:3:3: tiers.Prod: tier names are 1-32 lower-case letters, digits or '-',"
                        + " starting with a letter");
    }

    @Test
    void malformedAgentIdInGrantsIsReportedAtItsOwnLine() {
        String yaml = """
                tiers:
                  dev: { max_ttl: 1h, default_ttl: 1h }
                grants:
                  demo-agent:
                    dev: ["db:*:read"]
                  "x'; DROP TABLE agents;--":
                    dev: ["db:*:read"]
                """;

        assertThatThrownBy(() -> parse(yaml))
                .hasMessage("policy.yaml:6:3: grants.x'; DROP TABLE agents;--: not an agent id or group:<name>:"
                        + " agent_id must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    @Test
    void undefinedGroupInGrantsIsReportedAtItsOwnLine() {
        String yaml = """
                tiers:
                  dev: { max_ttl: 1h, default_ttl: 1h }
                grants:
                  demo-agent:
                    dev: ["db:*:read"]
                  group:ops:
                    dev: ["db:*:read"]
                """;

        assertThatThrownBy(() -> parse(yaml))
                .hasMessage("policy.yaml:6:3: grants.group:ops: group 'ops' is not defined under groups");
    }

    @Test
    void undefinedTierInGrantsIsReportedAtItsOwnLine() {
        String yaml = """
                tiers:
                  dev: { max_ttl: 1h, default_ttl: 1h }
                grants:
                  demo-agent:
                    dev: ["db:*:read"]
                    qa: ["db:*:read"]
                """;

        assertThatThrownBy(() -> parse(yaml))
                .hasMessage("policy.yaml:6:5: grants.demo-agent.qa: tier 'qa' is not defined under tiers");
    }
}
