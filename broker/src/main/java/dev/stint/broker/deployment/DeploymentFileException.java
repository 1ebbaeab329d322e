package dev.stint.broker.deployment;

/**
 * The deployment file is invalid, or something it points at (a password file, an environment
 * variable) is missing. The message names the file, line and column (1-based), the key path and
 * what is wrong, e.g. {@code deploy.yaml:4:11: store.postgres.port: '70000' is not a port
 * (1-65535)}; it never contains a password.
 */
public final class DeploymentFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public DeploymentFileException(String message) {
        super(message);
    }
}
