package dev.stint.cli.exec;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The command {@code stint exec} runs: started with the given environment and stint's own
 * standard streams, signalled, waited for, and stopped at a deadline. Exit codes are as the JDK
 * reports them on Linux: the command's own, or 128 + the signal number when a signal killed it.
 * Thread safe.
 */
public final class ChildProcess {

    private final Process process;

    private ChildProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code command} with exactly {@code environment}.
     *
     * @throws IOException when it cannot be started (not found, not executable)
     */
    public static ChildProcess start(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new ChildProcess(builder.start());
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Sends signal {@code name} ({@code INT} or {@code TERM}) to the command, if it still runs.
     * The JDK can send TERM and KILL only, so INT goes through {@code kill(1)}.
     */
    public void signal(String name) {
        if (!process.isAlive()) {
            return; // its pid may be someone else's soon
        }
        if ("TERM".equals(name)) {
            process.destroy();
            return;
        }
        try {
            new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy(); // no kill(1): TERM is the nearest the JDK can send
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the command exits or {@code clock} reaches {@code until}.
     *
     * @return its exit code, or empty when {@code until} came first (it still runs then)
     */
    public OptionalInt waitUntil(Instant until, Clock clock) throws InterruptedException {
        while (true) {
            long millis = Duration.between(clock.instant(), until).toMillis();
            if (millis <= 0) {
                return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.waitFor());
            }
            if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                return OptionalInt.of(process.exitValue());
            }
        }
    }

    /** Waits for the command to exit; its exit code. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * Stops the command and the processes it started: SIGTERM to all, then SIGKILL to those
     * still there after {@code grace}.
     *
     * @return the command's exit code
     */
    public int stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return process.waitFor();
    }

    @Override
    public String toString() {
        return "ChildProcess[pid=" + process.pid() + "]";
    }
}
