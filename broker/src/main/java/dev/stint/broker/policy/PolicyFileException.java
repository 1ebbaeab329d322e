package dev.stint.broker.policy;

/**
 * The policy file is invalid. The message names the file, line and column (1-based), the key
 * path and what is wrong, e.g. {@code policy.yaml:4:12: tiers.prod.max_ttl: '15x' is not a
 * duration (use s, m, h or d, e.g. 15m)}.
 */
public final class PolicyFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public PolicyFileException(String message) {
        super(message);
    }
}
