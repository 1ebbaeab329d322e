package dev.stint.broker.policy;

import static dev.stint.broker.policy.PolicyFixtures.agent;
import static dev.stint.broker.policy.PolicyFixtures.policy;
import static dev.stint.broker.policy.PolicyFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.agents.Agent;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Freeze windows as {@link DocumentPolicy#decide} applies them: absolute windows include their start and
 * exclude their end; recurring windows start on a cron schedule in their time zone and last an exact duration.
 */
class FreezeDecisionTest {

    private static final String POLICY = """
            tiers:
              dev:  { max_ttl: 8h,  default_ttl: 1h }
              prod: { max_ttl: 15m, default_ttl: 5m }
            destructive_actions: [delete, ddl, admin]
            grants:
              demo-agent:
                dev:  ["db:orders:read", "db:orders:write", "db:orders:delete"]
                prod: ["db:orders:read", "db:orders:write", "db:orders:delete", "db:orders:ddl"]
            freezes:
              - tiers: [prod]
                from: 2026-12-20T00:00:00Z
                until: 2027-01-04T00:00:00Z
                deny: [write, delete, ddl, admin]
                reason: Year-end change freeze
              - tiers: [prod]
                schedule: "0 16 * * FRI"
                duration: 64h
                time_zone: Europe/Berlin
                deny: [delete, ddl, admin]
                reason: No destructive changes over the weekend
            """;

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String YEAR_END = "Year-end change freeze";
    private static final String WEEKEND = "No destructive changes over the weekend";

    private final DocumentPolicy policy = policy(POLICY);
    private final Agent demo = agent("demo-agent", "dev", "prod");

    private Decision decide(String tier, Instant now, String... scopes) {
        return policy.decide(request(demo, tier, null, now, scopes));
    }

    private static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    // --- absolute freeze ---------------------------------------------------------------------

    @Test
    void absoluteFreezeDeniesAtItsStart() {
        Decision decision = decide("prod", Instant.parse("2026-12-20T00:00:00Z"), "db:orders:write");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason())
                .isEqualTo("scope db:orders:write is frozen in tier prod until 2027-01-04T00:00:00Z: " + YEAR_END);
    }

    @Test
    void absoluteFreezeAllowsOneSecondBeforeItsStart() {
        assertThat(decide("prod", Instant.parse("2026-12-19T23:59:59Z"), "db:orders:write").allowed()).isTrue();
    }

    @Test
    void absoluteFreezeDeniesOneSecondBeforeItsEnd() {
        Decision decision = decide("prod", Instant.parse("2027-01-03T23:59:59Z"), "db:orders:write");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:write is frozen in tier prod until 2027-01-04T00:00:00Z: " + YEAR_END);
    }

    @Test
    void absoluteFreezeAllowsAtItsEnd() {
        assertThat(decide("prod", Instant.parse("2027-01-04T00:00:00Z"), "db:orders:write").allowed()).isTrue();
    }

    // --- recurring freeze, winter time (CET, UTC+1) ------------------------------------------

    @Test
    void recurringFreezeDeniesAtFriday1600Berlin() {
        Instant start = Instant.parse("2026-01-09T15:00:00Z");
        assertThat(start).isEqualTo(berlin("2026-01-09T16:00"));

        Decision decision = decide("prod", start, "db:orders:delete");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-01-12T07:00:00Z: " + WEEKEND);
    }

    @Test
    void recurringFreezeAllowsAtFriday1559Berlin() {
        assertThat(decide("prod", Instant.parse("2026-01-09T14:59:00Z"), "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void recurringFreezeAllowsInTheLastSecondBeforeItsStart() {
        assertThat(decide("prod", Instant.parse("2026-01-09T14:59:59Z"), "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void recurringFreezeDeniesOverTheWeekend() {
        Decision decision = decide("prod", berlin("2026-01-11T03:00"), "db:orders:delete");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-01-12T07:00:00Z: " + WEEKEND);
    }

    @Test
    void recurringFreezeDeniesAtMonday0759Berlin() {
        Instant monday0759 = Instant.parse("2026-01-12T06:59:00Z");
        assertThat(monday0759).isEqualTo(berlin("2026-01-12T07:59"));

        Decision decision = decide("prod", monday0759, "db:orders:delete");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-01-12T07:00:00Z: " + WEEKEND);
    }

    @Test
    void recurringFreezeDeniesInTheLastSecondBeforeItsEnd() {
        assertThat(decide("prod", Instant.parse("2026-01-12T06:59:59Z"), "db:orders:delete").allowed()).isFalse();
    }

    @Test
    void recurringFreezeAllowsAtMonday0800Berlin() {
        assertThat(decide("prod", berlin("2026-01-12T08:00"), "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void recurringFreezeDoesNotHoldMidweek() {
        assertThat(decide("prod", berlin("2026-01-14T12:00"), "db:orders:delete").allowed()).isTrue();
    }

    // --- recurring freeze across daylight saving changes -------------------------------------

    @Test
    void recurringFreezeOverTheMarchDstChangeStartsAtFriday1600Cet() {
        // Friday 2026-03-27 16:00 CET = 15:00Z; clocks go forward on Sunday 2026-03-29.
        Decision decision = decide("prod", berlin("2026-03-27T16:00"), "db:orders:delete");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-03-30T07:00:00Z: " + WEEKEND);
        assertThat(decide("prod", Instant.parse("2026-03-27T14:59:59Z"), "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void recurringFreezeOverTheMarchDstChangeEndsExactly64HoursAfterItsStart() {
        // 64 h after 15:00Z Friday is 07:00Z Monday, which is 09:00 CEST (not 08:00 wall-clock time).
        assertThat(berlin("2026-03-30T09:00")).isEqualTo(Instant.parse("2026-03-30T07:00:00Z"));

        assertThat(decide("prod", berlin("2026-03-30T08:00"), "db:orders:delete").allowed()).isFalse();
        assertThat(decide("prod", Instant.parse("2026-03-30T06:59:59Z"), "db:orders:delete").allowed()).isFalse();
        assertThat(decide("prod", Instant.parse("2026-03-30T07:00:00Z"), "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void recurringFreezeOverTheOctoberDstChangeStartsAtFriday1600Cest() {
        // Friday 2026-10-23 16:00 CEST = 14:00Z; clocks go back on Sunday 2026-10-25.
        Decision decision = decide("prod", Instant.parse("2026-10-23T14:00:00Z"), "db:orders:delete");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-10-26T06:00:00Z: " + WEEKEND);
        assertThat(decide("prod", Instant.parse("2026-10-23T13:59:59Z"), "db:orders:delete").allowed()).isTrue();
    }

    @Test
    void recurringFreezeOverTheOctoberDstChangeEndsExactly64HoursAfterItsStart() {
        // 64 h after 14:00Z Friday is 06:00Z Monday, which is 07:00 CET (not 08:00 wall-clock time).
        assertThat(berlin("2026-10-26T07:00")).isEqualTo(Instant.parse("2026-10-26T06:00:00Z"));

        assertThat(decide("prod", Instant.parse("2026-10-26T05:59:59Z"), "db:orders:delete").allowed()).isFalse();
        assertThat(decide("prod", Instant.parse("2026-10-26T06:00:00Z"), "db:orders:delete").allowed()).isTrue();
    }

    // --- scope of a freeze -------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1} at Saturday noon Berlin: allowed={2}")
    @CsvSource({
        "prod, db:orders:delete, false",
        "prod, db:orders:ddl,    false",
        "prod, db:orders:write,  true",
        "prod, db:orders:read,   true",
        "dev,  db:orders:delete, true",
        "dev,  db:orders:write,  true",
    })
    void recurringFreezeAffectsOnlyItsTiersAndActions(String tier, String scope, boolean allowed) {
        assertThat(decide(tier, berlin("2026-01-10T12:00"), scope).allowed()).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} {1} during the year-end freeze: allowed={2}")
    @CsvSource({
        "prod, db:orders:write, false",
        "prod, db:orders:read,  true",
        "dev,  db:orders:write, true",
    })
    void absoluteFreezeAffectsOnlyItsTiersAndActions(String tier, String scope, boolean allowed) {
        // Wednesday 2026-12-23: inside the year-end freeze, outside any weekend freeze.
        assertThat(decide(tier, Instant.parse("2026-12-23T12:00:00Z"), scope).allowed()).isEqualTo(allowed);
    }

    @Test
    void oneFrozenScopeDeniesTheWholeRequest() {
        Decision decision = decide("prod", berlin("2026-01-10T12:00"), "db:orders:read", "db:orders:delete");

        assertThat(decision.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-01-12T07:00:00Z: " + WEEKEND);
    }

    @Test
    void frozenScopeIsReportedBeforeItsApprovalRequirement() throws Exception {
        DocumentPolicy sample = new DocumentPolicy(PolicyFileLoader.load(Path.of("../config/policy.yaml")));

        Decision frozen = sample.decide(request(demo, "prod", null, berlin("2026-01-10T12:00"), "db:orders:delete"));
        Decision midweek = sample.decide(request(demo, "prod", null, berlin("2026-01-14T12:00"), "db:orders:delete"));

        assertThat(frozen.reason())
                .isEqualTo("scope db:orders:delete is frozen in tier prod until 2026-01-12T07:00:00Z: " + WEEKEND);
        assertThat(midweek.reason()).isEqualTo("scope db:orders:delete (destructive, 2) in tier prod needs approval"
                + " by 2 distinct humans");
    }
}
