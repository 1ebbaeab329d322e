package dev.stint.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code stint} as a real process (java on the test class path), so that its signals, its
 * child's and its exit code are real. It runs with a clean environment: PATH, a temp dir of the
 * test's own, and what the test adds. Its stdout and stderr go to files.
 */
final class StintProcess {

    static final Duration EXIT_WAIT = Duration.ofSeconds(60);

    final Process process;
    final Path out;
    final Path err;

    private StintProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static StintProcess start(Path dir, Map<String, String> env, List<String> args) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> clean = new LinkedHashMap<>();
        clean.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        clean.put("TMPDIR", dir.resolve("tmp").toString());
        clean.putAll(env);
        builder.environment().clear();
        builder.environment().putAll(clean);
        Path out = dir.resolve("stint.out");
        Path err = dir.resolve("stint.err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process process = builder.start();
        process.getOutputStream().close();
        return new StintProcess(process, out, err);
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("stint did not exit within " + EXIT_WAIT + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
