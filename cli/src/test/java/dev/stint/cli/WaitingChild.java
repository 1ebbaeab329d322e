package dev.stint.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command {@code stint exec} runs in these tests: it prints one line, writes its environment
 * and pid to files, then waits until the test releases it with an exit code. So the test can log
 * in with what the child was given while stint waits, and decide how the child ends.
 */
final class WaitingChild {

    static final String STARTED = "child started";
    private static final String SCRIPT = "d=\"$1\"; echo '" + STARTED + "'; "
            + "env > \"$d/env.tmp\" && mv \"$d/env.tmp\" \"$d/env\"; "
            + "echo $$ > \"$d/pid.tmp\" && mv \"$d/pid.tmp\" \"$d/pid\"; "
            + "while [ ! -e \"$d/go\" ]; do sleep 0.05; done; exit \"$(cat \"$d/go\")\"";
    static final Duration START_WAIT = Duration.ofSeconds(30);

    private final Path dir;

    WaitingChild(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    List<String> command() {
        return List.of("sh", "-c", SCRIPT, "child", dir.toString());
    }

    /** The child's environment, once it has written it; fails when stint ends first. */
    Map<String, String> awaitEnvironment(StintProcess stint) throws Exception {
        Path file = awaitFile("env", stint);
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    long pid(StintProcess stint) throws Exception {
        return Long.parseLong(Files.readString(awaitFile("pid", stint)).strip());
    }

    /** Lets the child exit with {@code code}. */
    void release(int code) throws IOException {
        Path next = dir.resolve("go.tmp");
        Files.writeString(next, Integer.toString(code));
        Files.move(next, dir.resolve("go"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits for an event (the file's appearance), bounded; never for time to pass. */
    private Path awaitFile(String name, StintProcess stint) throws Exception {
        Path file = dir.resolve(name);
        long until = System.nanoTime() + START_WAIT.toNanos();
        while (!Files.exists(file)) {
            if (!stint.process.isAlive()) {
                throw new AssertionError("stint exited " + stint.process.exitValue() + " before its command wrote "
                        + name + "; stderr: " + stint.stderr());
            }
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("the command did not write " + name + " within " + START_WAIT
                        + "; stderr: " + stint.stderr());
            }
            Thread.sleep(20);
        }
        return file;
    }
}
