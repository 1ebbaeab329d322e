package dev.stint.broker.pgroles;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One checked grant clause: privileges on objects of one kind. It names no grantee (Stint grants
 * to each task's own login) and carries no options.
 *
 * @param privileges at least one, each accepted by {@code kind}; rendered in declaration order
 * @param kind       what the names are
 * @param objects    at least one name, each a valid identifier or, where the kind allows it, two
 *                   joined by '.'
 */
record GrantClause(Set<Privilege> privileges, ObjectKind kind, List<String> objects) {

    GrantClause {
        Objects.requireNonNull(kind, "kind");
        privileges = Set.copyOf(privileges);
        objects = List.copyOf(objects);
        if (privileges.isEmpty() || objects.isEmpty()) {
            throw new IllegalArgumentException("a grant clause needs privileges and objects");
        }
    }

    /** The GRANT statement giving these privileges to {@code role}, every name double-quoted. */
    String sql(String role) {
        String names = objects.stream().map(GrantClause::quoted).collect(Collectors.joining(", "));
        return "GRANT " + privilegeList() + " ON " + kind.sql() + " " + names + " TO " + Identifiers.quote(role);
    }

    /** The clause as a policy would write it, e.g. {@code SELECT ON ALL TABLES IN SCHEMA public}. */
    @Override
    public String toString() {
        return privilegeList() + " ON " + kind.sql() + " " + String.join(", ", objects);
    }

    private String privilegeList() {
        // Enum order, not the policy's: two spellings of one grant render alike.
        return privileges.stream().sorted().map(Enum::name).collect(Collectors.joining(", "));
    }

    private static String quoted(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? Identifiers.quote(name)
                : Identifiers.quote(name.substring(0, dot)) + "." + Identifiers.quote(name.substring(dot + 1));
    }
}
