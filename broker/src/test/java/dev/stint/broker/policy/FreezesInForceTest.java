package dev.stint.broker.policy;

import static dev.stint.broker.policy.PolicyFixtures.policy;
import static dev.stint.broker.policy.PolicyFixtures.scopes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.token.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which freezes are in force at an instant ({@link Policy#freezesInForce}), as the sweep that ends
 * frozen tasks asks: a window holds from its start (inclusive) to its end (exclusive), and a
 * recurring window lasts its exact duration from its start in its zone, across daylight saving.
 */
class FreezesInForceTest {

    private static final String POLICY = """
            tiers:
              staging: { max_ttl: 2h,  default_ttl: 30m }
              prod:    { max_ttl: 15m, default_ttl: 5m }
            destructive_actions: [delete, ddl, admin]
            freezes:
              - tiers: [prod]
                from: 2026-12-22T08:00:00Z
                until: 2026-12-23T18:00:00Z
                deny: [write, delete]
                reason: Release freeze
              - tiers: [staging, prod]
                schedule: "0 16 * * FRI"
                duration: 64h
                time_zone: Europe/Berlin
                deny: [delete, ddl, admin]
                reason: Weekend
            """;

    /** Sundays 02:30 Berlin, an hour: on 2027-03-28 that wall-clock time does not exist, on 2027-10-31 it comes twice. */
    private static final String SUNDAY_NIGHTS = """
            tiers:
              prod: { max_ttl: 15m, default_ttl: 5m }
            freezes:
              - tiers: [prod]
                schedule: "30 2 * * SUN"
                duration: 1h
                time_zone: Europe/Berlin
                deny: [ddl]
                reason: Sunday maintenance
            """;

    private final DocumentPolicy policy = policy(POLICY);

    private static List<String> inForce(Policy policy, Instant now) {
        return policy.freezesInForce(now).stream().map(f -> f.reason() + " until " + f.until()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            absolute: a second before from                | 2026-12-22T07:59:59Z |
            absolute: at from                             | 2026-12-22T08:00:00Z | Release freeze until 2026-12-23T18:00:00Z
            absolute: a second before until               | 2026-12-23T17:59:59Z | Release freeze until 2026-12-23T18:00:00Z
            absolute: at until                            | 2026-12-23T18:00:00Z |
            recurring: a second before Friday 16:00 CET   | 2026-11-27T14:59:59Z |
            recurring: Friday 16:00 CET                   | 2026-11-27T15:00:00Z | Weekend until 2026-11-30T07:00:00Z
            recurring: a second before 64 h are over      | 2026-11-30T06:59:59Z | Weekend until 2026-11-30T07:00:00Z
            recurring: 64 h after the start               | 2026-11-30T07:00:00Z |
            over spring forward: Friday 16:00 CET         | 2027-03-26T15:00:00Z | Weekend until 2027-03-29T07:00:00Z
            over spring forward: ends 64 h on, 09:00 CEST | 2027-03-29T06:59:59Z | Weekend until 2027-03-29T07:00:00Z
            over spring forward: at its end               | 2027-03-29T07:00:00Z |
            over fall back: a second before 16:00 CEST    | 2027-10-29T13:59:59Z |
            over fall back: Friday 16:00 CEST             | 2027-10-29T14:00:00Z | Weekend until 2027-11-01T06:00:00Z
            over fall back: ends 64 h on, 07:00 CET       | 2027-11-01T05:59:59Z | Weekend until 2027-11-01T06:00:00Z
            over fall back: at its end                    | 2027-11-01T06:00:00Z |
            """)
    void freezeIsInForceFromItsStartUntilJustBeforeItsEnd(String name, Instant now, String expected) {
        assertThat(inForce(policy, now)).isEqualTo(expected == null ? List.of() : List.of(expected));
    }

    @Test
    void overlappingFreezesAreAllInForceInThePolicysOrder() {
        // From Friday 2026-12-18 the release freeze and that weekend's freeze overlap.
        DocumentPolicy overlapping = policy(POLICY.replace("2026-12-22T08:00:00Z", "2026-12-18T08:00:00Z"));

        assertThat(inForce(overlapping, Instant.parse("2026-12-18T15:00:00Z"))).containsExactly(
                "Release freeze until 2026-12-23T18:00:00Z", "Weekend until 2026-12-21T07:00:00Z");
    }

    @Test
    void inForceFreezeCarriesItsTiersDeniedActionsAndReason() {
        FreezeInForce weekend = policy.freezesInForce(Instant.parse("2026-11-28T12:00:00Z")).get(0);

        assertThat(weekend.tiers()).containsExactlyInAnyOrder(new Tier("staging"), new Tier("prod"));
        assertThat(weekend.deny()).isEqualTo(Set.of("delete", "ddl", "admin"));
        assertThat(weekend.reason()).isEqualTo("Weekend");
    }

    @Test
    void recurringFreezeStartingInTheSpringForwardGapIsInForceFromWhenTheGapEnds() {
        DocumentPolicy sundays = policy(SUNDAY_NIGHTS);

        assertThat(inForce(sundays, Instant.parse("2027-03-28T00:59:59Z"))).isEmpty();
        assertThat(inForce(sundays, Instant.parse("2027-03-28T01:00:00Z")))
                .containsExactly("Sunday maintenance until 2027-03-28T02:00:00Z");
        assertThat(inForce(sundays, Instant.parse("2027-03-28T02:00:00Z"))).isEmpty();
    }

    @Test
    void recurringFreezeStartingInTheRepeatedHourIsInForceOnce() {
        DocumentPolicy sundays = policy(SUNDAY_NIGHTS);

        assertThat(inForce(sundays, Instant.parse("2027-10-31T00:29:59Z"))).as("before 02:30 CEST").isEmpty();
        assertThat(inForce(sundays, Instant.parse("2027-10-31T00:30:00Z"))).as("02:30 CEST")
                .containsExactly("Sunday maintenance until 2027-10-31T01:30:00Z");
        assertThat(inForce(sundays, Instant.parse("2027-10-31T01:30:00Z"))).as("02:30 CET, an hour later")
                .isEmpty();
    }

    @Test
    void reloadingPolicyAnswersFromTheFileInForce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, SUNDAY_NIGHTS.replace("Sunday maintenance", "Old"));
        ReloadingPolicy reloading = ReloadingPolicy.load(file);
        Instant sunday = Instant.parse("2027-10-31T00:45:00Z");
        assertThat(inForce(reloading, sunday)).containsExactly("Old until 2027-10-31T01:30:00Z");

        Files.writeString(file, SUNDAY_NIGHTS.replace("Sunday maintenance", "New and longer"));
        assertThat(reloading.reloadIfChanged()).isTrue();

        assertThat(inForce(reloading, sunday)).containsExactly("New and longer until 2027-10-31T01:30:00Z");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a frozen action in a frozen tier    | prod    | db:orders:delete                                   | delete
            several, sorted, once each          | prod    | db:orders:delete db:users:delete db:orders:admin   | admin delete
            frozen and unfrozen actions         | staging | db:orders:read db:orders:ddl                       | ddl
            only unfrozen actions               | prod    | db:orders:read db:orders:write                     |
            a tier it does not freeze           | dev     | db:orders:delete                                   |
            a frozen word as resource, not act. | prod    | db:delete:read                                     |
            """)
    void frozenActionsAreTheTasksActionsTheFreezeDeniesInItsTier(String name, String tier, String scopeList,
            String expected) {
        FreezeInForce weekend = policy.freezesInForce(Instant.parse("2026-11-28T12:00:00Z")).get(0);

        assertThat(weekend.frozenActions(new Tier(tier), scopes(scopeList.split(" "))))
                .isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(" ")));
    }
}
