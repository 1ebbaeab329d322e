package dev.stint.broker.pgroles;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.stint.broker.pgroles.Privilege.CONNECT;
import static dev.stint.broker.pgroles.Privilege.CREATE;
import static dev.stint.broker.pgroles.Privilege.DELETE;
import static dev.stint.broker.pgroles.Privilege.EXECUTE;
import static dev.stint.broker.pgroles.Privilege.INSERT;
import static dev.stint.broker.pgroles.Privilege.REFERENCES;
import static dev.stint.broker.pgroles.Privilege.SELECT;
import static dev.stint.broker.pgroles.Privilege.TEMPORARY;
import static dev.stint.broker.pgroles.Privilege.TRIGGER;
import static dev.stint.broker.pgroles.Privilege.TRUNCATE;
import static dev.stint.broker.pgroles.Privilege.UPDATE;
import static dev.stint.broker.pgroles.Privilege.USAGE;

/**
 * What a grant clause may name after {@code ON}, with the privileges PostgreSQL accepts for it:
 * checking them here makes a policy that could never be applied fail when it is loaded rather than
 * at the first task. Functions only come as {@code ALL FUNCTIONS IN SCHEMA}: naming one function
 * needs its argument types, which would bring parentheses and type names into the grammar.
 */
enum ObjectKind {
    TABLE("TABLE", true, EnumSet.of(SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER)),
    SEQUENCE("SEQUENCE", true, EnumSet.of(USAGE, SELECT, UPDATE)),
    SCHEMA("SCHEMA", false, EnumSet.of(USAGE, CREATE)),
    DATABASE("DATABASE", false, EnumSet.of(CONNECT, TEMPORARY, CREATE)),
    ALL_TABLES("ALL TABLES IN SCHEMA", false, TABLE.privileges),
    ALL_SEQUENCES("ALL SEQUENCES IN SCHEMA", false, SEQUENCE.privileges),
    ALL_FUNCTIONS("ALL FUNCTIONS IN SCHEMA", false, EnumSet.of(EXECUTE));

    private final String sql;
    private final boolean schemaQualified;
    private final Set<Privilege> privileges;

    ObjectKind(String sql, boolean schemaQualified, Set<Privilege> privileges) {
        this.sql = sql;
        this.schemaQualified = schemaQualified;
        this.privileges = privileges;
    }

    /** The words of this kind in a GRANT statement, e.g. {@code ALL TABLES IN SCHEMA}. */
    String sql() {
        return sql;
    }

    /** Whether its names may be written {@code schema.name} (tables and sequences). */
    boolean schemaQualified() {
        return schemaQualified;
    }

    boolean accepts(Privilege privilege) {
        return privileges.contains(privilege);
    }

    /** The privileges it accepts, for messages: "USAGE, CREATE". */
    String acceptedPrivileges() {
        return privileges.stream().map(Enum::name).collect(Collectors.joining(", "));
    }
}
