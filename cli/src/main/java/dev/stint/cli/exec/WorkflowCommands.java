package dev.stint.cli.exec;

import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashSet;

/**
 * GitHub Actions workflow commands, written to stdout as GitHub documents them. Only
 * {@code add-mask}: the runner then hides each value wherever a later log line shows it.
 */
public final class WorkflowCommands {

    private WorkflowCommands() {
    }

    /** True when running as a GitHub Actions step ({@code GITHUB_ACTIONS=true}). */
    public static boolean underGithubActions(java.util.Map<String, String> env) {
        return "true".equals(env.get("GITHUB_ACTIONS"));
    }

    /** One {@code ::add-mask::} line per distinct value, flushed before it returns. */
    public static void addMasks(PrintStream out, Collection<String> secrets) {
        for (String secret : new LinkedHashSet<>(secrets)) {
            if (!secret.isEmpty()) {
                out.print("::add-mask::" + escapeData(secret) + "\n");
            }
        }
        out.flush();
    }

    /**
     * The runner unescapes {@code %25}, {@code %0D} and {@code %0A} in a command's data: without
     * escaping, a value holding "%25" (as a percent-encoded password does) would mask the wrong text.
     */
    static String escapeData(String value) {
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }
}
