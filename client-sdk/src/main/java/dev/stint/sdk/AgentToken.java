package dev.stint.sdk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The agent token a client authenticates to the task API with, as {@link StintClient#agentToken()}
 * hands it out. {@link #toString()} never prints the value.
 *
 * @param value the bearer token; a secret
 * @param expiresAt when the broker stops accepting it, counted from just before the request
 * @param renewsAt when the client will authenticate again rather than use it (a little before
 *     {@code expiresAt}, so that no request leaves with a token that expires in flight). A client
 *     whose {@link SubjectTokenSource} cannot give a second subject token can do nothing needing
 *     an agent token after this instant.
 */
public record AgentToken(String value, Instant expiresAt, Instant renewsAt) {

    public AgentToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(renewsAt, "renewsAt");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("an agent token value must not be empty");
        }
        if (renewsAt.isAfter(expiresAt)) {
            throw new IllegalArgumentException("an agent token cannot be renewed after it expires");
        }
    }

    /** The first 8 hex digits of the SHA-256 of the value: enough to compare, useless to an attacker. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "AgentToken[expiresAt=" + expiresAt + ", renewsAt=" + renewsAt + ", fingerprint=" + fingerprint() + "]";
    }
}
