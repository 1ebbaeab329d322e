package dev.stint.token;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The identifier of one task. Callers may choose it; it is then checked against a strict
 * allow-list because it reaches SQL, audit records, database usernames and URLs.
 */
public record TaskId(String value) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public TaskId {
        Identifier.require(value, "task_id");
    }

    /** A fresh random id, {@code tsk_} followed by 24 hex digits (96 random bits). */
    public static TaskId random() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return new TaskId("tsk_" + HexFormat.of().formatHex(bytes));
    }

    @Override
    public String toString() {
        return value;
    }
}
