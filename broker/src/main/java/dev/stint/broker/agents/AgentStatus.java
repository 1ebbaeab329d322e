package dev.stint.broker.agents;

import java.util.Locale;

/** Only an active agent can authenticate, open tasks or mint tokens. */
public enum AgentStatus {
    ACTIVE, SUSPENDED, RETIRED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AgentStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
