package dev.stint.broker.people;

import java.util.Locale;
import java.util.Optional;

/** What a person may do: approve guarded tasks, administer, or read the audit log. */
public enum Role {
    APPROVER, ADMIN, AUDITOR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return empty for anything but the exact lower-case name of a role */
    public static Optional<Role> fromWire(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
