package dev.stint.cli;

import java.time.Clock;

/** {@code java -jar stint-cli.jar COMMAND ...}; see {@link Stint}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(new Stint(System.getenv(), System.out, System.err, Clock.systemUTC()).run(args));
    }
}
