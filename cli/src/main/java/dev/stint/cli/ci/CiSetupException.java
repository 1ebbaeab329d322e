package dev.stint.cli.ci;

/**
 * The job is not set up to hand out its OIDC token: a variable the platform documents is missing
 * or malformed. Retrying does not help; the message says what to change in the job.
 */
public final class CiSetupException extends Exception {

    private static final long serialVersionUID = 1L;

    CiSetupException(String message) {
        super(message);
    }
}
