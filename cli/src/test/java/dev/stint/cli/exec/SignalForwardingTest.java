package dev.stint.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals stint receives: remembered before the command starts (which then never starts), passed
 * on to it once it runs. Driven through {@code received}, without installing handlers in the test JVM.
 */
class SignalForwardingTest {

    static final Map<String, String> ENV = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));

    @Test
    void signalBeforeTheCommandStartsKeepsItFromStarting() throws Exception {
        SignalForwarding signals = new SignalForwarding();

        signals.received("TERM");
        ChildProcess child = signals.startUnlessSignalled(() -> ChildProcess.start(List.of("true"), ENV));

        assertThat(child).isNull();
        assertThat(signals.pending()).isEqualTo("TERM");
    }

    @Test
    void firstSignalBeforeTheStartIsTheOneRemembered() {
        SignalForwarding signals = new SignalForwarding();

        signals.received("INT");
        signals.received("TERM");

        assertThat(signals.pending()).isEqualTo("INT");
    }

    @Test
    void sigtermIsPassedOnToTheRunningCommand() throws Exception {
        SignalForwarding signals = new SignalForwarding();
        ChildProcess child = signals.startUnlessSignalled(() -> ChildProcess.start(List.of("sleep", "30"), ENV));

        signals.received("TERM");

        assertThat(child.waitUntil(Instant.now().plusSeconds(10), Clock.systemUTC())).hasValue(143);
    }

    @TempDir
    Path dir;

    /** A shell that runs {@code trap} first, then says it is ready and loops until a signal ends it. */
    ChildProcess trapping(SignalForwarding signals, String trap) throws Exception {
        Path ready = dir.resolve("ready");
        ChildProcess child = signals.startUnlessSignalled(() -> ChildProcess.start(List.of("sh", "-c",
                trap + "; echo ready > \"$0\"; while :; do sleep 0.05; done", ready.toString()), ENV));
        long until = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(ready) && System.nanoTime() - until < 0) {
            Thread.sleep(10); // waits for the event "trap installed", bounded
        }
        return child;
    }

    @Test
    void sigintIsPassedOnToTheRunningCommand() throws Exception {
        SignalForwarding signals = new SignalForwarding();
        // Exits 42 on SIGINT: proof that INT itself arrived, not TERM.
        ChildProcess child = trapping(signals, "trap 'exit 42' INT");

        signals.received("INT");

        assertThat(child.waitUntil(Instant.now().plusSeconds(10), Clock.systemUTC())).hasValue(42);
    }

    @Test
    void exitCodeForASignalIsWhatShellsReport() {
        assertThat(SignalForwarding.exitCodeFor("INT")).isEqualTo(130);
        assertThat(SignalForwarding.exitCodeFor("TERM")).isEqualTo(143);
    }

    @Test
    void stopEndsACommandThatIgnoresSigtermWithSigkill() throws Exception {
        ChildProcess child = trapping(new SignalForwarding(), "trap '' TERM");

        int code = child.stop(java.time.Duration.ofMillis(300));

        assertThat(code).isEqualTo(137);
    }
}
