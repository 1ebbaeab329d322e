package dev.stint.broker.tokens;

import java.util.Locale;

/** What an issued token is: an opaque agent token for the task API, or a signed task token. */
public enum TokenKind {
    AGENT, TASK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TokenKind fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
