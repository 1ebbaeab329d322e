package dev.stint.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stint.broker.MutableClock;
import dev.stint.sdk.BrokerUnavailableException;
import dev.stint.sdk.TaskNotActiveException;
import dev.stint.sdk.TaskToken;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STINT_TOKEN_FILE kept fresh until the deadline, one round at a time on a clock the test moves. */
class TokenFileRefresherTest {

    static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    static final Instant DEADLINE = T0.plus(Duration.ofMinutes(20));
    static final TaskId TASK = new TaskId("tsk_1");

    @TempDir
    Path parent;

    MutableClock clock = new MutableClock(T0);
    /** What the session hands out now; a test replaces it, or sets a failure. */
    TaskToken current = token("token-1", T0.plusSeconds(300));
    Exception failure;
    List<String> said = new ArrayList<>();
    TokenFile file;
    TokenFileRefresher refresher;

    static TaskToken token(String value, Instant expiresAt) {
        return new TaskToken(value, expiresAt, TASK, new Tier("dev"), null);
    }

    @BeforeEach
    void start() throws Exception {
        file = TokenFile.create(parent, current.value());
        refresher = new TokenFileRefresher(() -> {
            if (failure instanceof TaskNotActiveException e) {
                throw e;
            }
            if (failure instanceof BrokerUnavailableException e) {
                throw e;
            }
            return current;
        }, file, current, DEADLINE, clock, said::add);
    }

    @AfterEach
    void stop() throws Exception {
        refresher.close();
        file.close();
    }

    String onFile() throws Exception {
        return Files.readString(file.path());
    }

    @Test
    void nextRoundComesAtHalfTheWrittenTokensRemainingLife() {
        assertThat(refresher.refresh()).isEqualTo(T0.plusSeconds(150));
    }

    @Test
    void sameTokenFromTheSessionLeavesTheFileAsItIs() throws Exception {
        clock.advance(Duration.ofSeconds(150));

        Instant next = refresher.refresh();

        assertThat(onFile()).isEqualTo("token-1");
        assertThat(next).isEqualTo(T0.plusSeconds(225));
    }

    @Test
    void newTokenFromTheSessionIsWrittenBeforeTheOldOneExpires() throws Exception {
        clock.advance(Duration.ofSeconds(150));
        current = token("token-2", T0.plusSeconds(450));

        Instant next = refresher.refresh();

        assertThat(onFile()).isEqualTo("token-2");
        assertThat(next).isEqualTo(T0.plusSeconds(300));
        assertThat(said).isEmpty();
    }

    @Test
    void failedRefreshKeepsTheOldTokenAndTriesAgainWithBackoff() throws Exception {
        clock.advance(Duration.ofSeconds(150));
        failure = new BrokerUnavailableException("task token request for task tsk_1 failed: the broker is down");

        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Instant next = refresher.refresh();
            waits.add(Duration.between(clock.instant(), next));
            clock.set(next);
        }

        assertThat(onFile()).isEqualTo("token-1");
        assertThat(waits).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
                Duration.ofSeconds(30));
        assertThat(said.get(0)).isEqualTo("could not refresh STINT_TOKEN_FILE (its token " + current.fingerprint()
                + " expires 2026-11-28T12:05:00Z): task token request for task tsk_1 failed: the broker is down;"
                + " trying again in 5 s");
    }

    @Test
    void refreshAfterAFailureSaysSoAndResetsTheBackoff() throws Exception {
        clock.advance(Duration.ofSeconds(150));
        failure = new BrokerUnavailableException("down");
        clock.set(refresher.refresh());
        failure = null;
        current = token("token-2", clock.instant().plusSeconds(300));

        Instant next = refresher.refresh();

        assertThat(onFile()).isEqualTo("token-2");
        assertThat(said).last().isEqualTo("refreshed STINT_TOKEN_FILE again (token " + current.fingerprint() + ")");
        assertThat(next).isEqualTo(clock.instant().plusSeconds(150));
    }

    @Test
    void noRoundReachesPastTheDeadline() {
        clock.set(DEADLINE.minusSeconds(100));
        current = token("token-9", DEADLINE);

        assertThat(refresher.refresh()).isEqualTo(DEADLINE.minusSeconds(50));
        clock.set(DEADLINE);
        assertThat(refresher.refresh()).isEqualTo(Instant.MAX);
    }

    @Test
    void taskThatIsOverStopsTheRefreshesSayingWhy() throws Exception {
        failure = new TaskNotActiveException(TASK, 409, TaskNotActiveException.TASK_NOT_ACTIVE, "task tsk_1 was ended");

        assertThat(refresher.refresh()).isEqualTo(Instant.MAX);
        failure = null;
        current = token("token-2", T0.plusSeconds(300));
        assertThat(refresher.refresh()).isEqualTo(Instant.MAX);
        assertThat(onFile()).isEqualTo("token-1");
        assertThat(said).containsExactly("STINT_TOKEN_FILE is no longer refreshed: task tsk_1 is no longer active:"
                + " task tsk_1 was ended (HTTP 409, urn:stint:problem:task-not-active)");
    }

    @Test
    void closedRefresherNeverWritesAgain() throws Exception {
        refresher.close();
        clock.advance(Duration.ofSeconds(150));
        current = token("token-2", T0.plusSeconds(450));

        assertThat(refresher.refresh()).isEqualTo(Instant.MAX);
        assertThat(onFile()).isEqualTo("token-1");
    }

    @Test
    void nothingItSaysHoldsAToken() {
        clock.advance(Duration.ofSeconds(150));
        failure = new BrokerUnavailableException("down");
        refresher.refresh();

        assertThat(String.join("\n", said)).doesNotContain("token-1");
    }
}
