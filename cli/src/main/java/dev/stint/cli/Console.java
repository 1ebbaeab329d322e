package dev.stint.cli;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Where stint writes: stdout for what a script asked for (JSON, GitHub workflow commands),
 * stderr for progress and refusals, one line each, prefixed {@code stint: }. Nothing here knows
 * secrets: callers pass lines that hold none.
 */
record Console(PrintStream out, PrintStream err) {

    Console {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
    }

    /** One line on stderr; control characters (a line break from a remote message) become spaces. */
    void say(String line) {
        err.print("stint: " + line.replaceAll("\\p{Cntrl}", " ") + "\n");
        err.flush();
    }
}
