package dev.stint.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.token.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a freeze next takes hold, within the lifetime of a token about to be minted. */
class FreezeNextInForceTest {

    static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    // Fridays 16:00 Europe/Berlin for 64 h; 2026-11-27 is a Friday (CET, UTC+1): 15:00Z.
    final Freeze weekend = new Freeze(Set.of(new Tier("prod")), null, null, CronSchedule.parse("0 16 * * FRI"),
            Duration.ofHours(64), ZoneId.of("Europe/Berlin"), Set.of("delete"), "weekend");

    final Freeze yearEnd = new Freeze(Set.of(new Tier("prod")), Instant.parse("2026-12-20T00:00:00Z"),
            Instant.parse("2027-01-04T00:00:00Z"), null, Duration.ofDays(15), null, Set.of("write"), "year end");

    @Test
    void recurringFreezeStartingWithinTheHorizonIsFound() {
        assertThat(weekend.nextInForce(Instant.parse("2026-11-27T14:58:30Z"), FIVE_MINUTES))
                .contains(Instant.parse("2026-11-27T15:00:00Z"));
    }

    @Test
    void recurringFreezeStartingAfterTheHorizonIsNot() {
        assertThat(weekend.nextInForce(Instant.parse("2026-11-27T14:54:59Z"), FIVE_MINUTES)).isEmpty();
    }

    @Test
    void freezeAlreadyInForceHoldsFromNow() {
        Instant sunday = Instant.parse("2026-11-29T12:00:00Z");

        assertThat(weekend.nextInForce(sunday, FIVE_MINUTES)).contains(sunday);
    }

    @Test
    void absoluteFreezeStartIsFoundOneSecondInsideTheHorizon() {
        assertThat(yearEnd.nextInForce(Instant.parse("2026-12-19T23:55:01Z"), FIVE_MINUTES))
                .contains(Instant.parse("2026-12-20T00:00:00Z"));
        assertThat(yearEnd.nextInForce(Instant.parse("2026-12-19T23:54:59Z"), FIVE_MINUTES)).isEmpty();
    }
}
