package dev.stint.sdk;

import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One task token as handed to the caller. {@link #toString()} never prints the value; use
 * {@link #fingerprint()} to tell tokens apart in logs.
 *
 * @param value the bearer token; a secret
 * @param expiresAt when the token stops being usable, by the local clock; never after the task deadline
 * @param taskId the task the token belongs to
 * @param tier the tier the token is pinned to
 * @param audience the audience it was requested for, or null for the broker's default audience
 */
public record TaskToken(String value, Instant expiresAt, TaskId taskId, Tier tier, String audience) {

    public TaskToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(tier, "tier");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a task token value must not be empty");
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
        return "TaskToken[taskId=" + taskId + ", tier=" + tier + ", audience=" + audience
                + ", expiresAt=" + expiresAt + ", fingerprint=" + fingerprint() + "]";
    }
}
