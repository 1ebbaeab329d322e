package dev.stint.broker.people;

import java.util.Locale;

/** A disabled person cannot sign in, and their sessions and enrollment links are dead. */
public enum PersonStatus {
    ACTIVE, DISABLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static PersonStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
