package dev.stint.cli;

/**
 * What {@code stint} exits with. {@code stint exec} exits with its command's code instead, as
 * long as it could run it and end the task.
 */
final class ExitCodes {

    /** Done. */
    static final int OK = 0;
    /** The broker refused (policy, bad input, unknown task, CI token refused), or stint did. */
    static final int REFUSED = 1;
    /** The command line is wrong: unknown or missing options, malformed values, a nested {@code stint exec}. */
    static final int USAGE = 2;
    /** The broker or the CI platform's token service could not answer properly: try again later (EX_UNAVAILABLE). */
    static final int UNAVAILABLE = 69;
    /** A bug in stint (EX_SOFTWARE). */
    static final int SOFTWARE = 70;
    /** The set-up is wrong: unreadable key file, a broker URL that is not its issuer, a CI job without its OIDC token (EX_CONFIG). */
    static final int CONFIG = 78;
    /** {@code stint exec}: the task's deadline came first and stopped the command, as timeout(1) reports. */
    static final int DEADLINE = 124;
    /** {@code stint exec}: the command exists but could not be run. */
    static final int CANNOT_RUN = 126;
    /** {@code stint exec}: the command was not found. */
    static final int NOT_FOUND = 127;

    private ExitCodes() {
    }
}
