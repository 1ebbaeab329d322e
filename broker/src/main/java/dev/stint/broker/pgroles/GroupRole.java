package dev.stint.broker.pgroles;

import java.util.Set;

/**
 * An existing role a task login joins (a policy's {@code in_roles} entry), checked when the policy
 * is loaded. It is a plain lower-case name (the rules of {@link Grants}' names) and none of:
 * <ul>
 *   <li>{@code postgres}, the usual superuser, and the words PostgreSQL reads as something other
 *       than a role ({@code public}, {@code current_user}, {@code current_role},
 *       {@code session_user}, {@code none}, {@code all});</li>
 *   <li>a name with Stint's own prefix {@code stint_}: task logins and the broker's admin user
 *       live there, and a task joining another task's login would outlive nothing;</li>
 *   <li>a predefined {@code pg_} role, except those that only read or write table data or read
 *       statistics: {@code pg_read_all_data}, {@code pg_write_all_data}, {@code pg_monitor},
 *       {@code pg_read_all_settings}, {@code pg_read_all_stats}, {@code pg_stat_scan_tables}.
 *       The others act on the server itself ({@code pg_read_server_files},
 *       {@code pg_write_server_files}, {@code pg_execute_server_program} are superuser in all
 *       but name; {@code pg_signal_backend} could end the broker's own sessions).</li>
 * </ul>
 *
 * <p>Whether the role exists, and whether it could lift a task login above its grants (a role
 * that is, or can through its own memberships become, a role with SUPERUSER, CREATEROLE,
 * CREATEDB, REPLICATION or BYPASSRLS, which a member may {@code SET ROLE} to), can only be known
 * in the database: {@link PostgresRoles#create} checks that before it creates anything.
 *
 * @param name the role's name
 */
public record GroupRole(String name) {

    private static final Set<String> RESERVED =
            Set.of("postgres", "public", "current_user", "current_role", "session_user", "none", "all");
    private static final Set<String> ALLOWED_PREDEFINED = Set.of("pg_read_all_data", "pg_write_all_data",
            "pg_monitor", "pg_read_all_settings", "pg_read_all_stats", "pg_stat_scan_tables");

    public GroupRole {
        Identifiers.require(name, "group role");
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("group role '" + name + "' is not allowed: it is the superuser or"
                    + " a word PostgreSQL reads as something other than a role");
        }
        if (name.startsWith("stint_")) {
            throw new IllegalArgumentException("group role '" + name + "' is not allowed: stint_ is the prefix of"
                    + " Stint's own logins");
        }
        if (name.startsWith("pg_") && !ALLOWED_PREDEFINED.contains(name)) {
            throw new IllegalArgumentException("group role '" + name + "' is not allowed: of the predefined pg_"
                    + " roles only " + String.join(", ", ALLOWED_PREDEFINED.stream().sorted().toList())
                    + " may be joined");
        }
    }

    /** Reads an {@code in_roles} entry; the same as the constructor, for symmetry with {@link Grants#parse}. */
    public static GroupRole parse(String name) {
        return new GroupRole(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
