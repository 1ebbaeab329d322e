package dev.stint.broker.pgroles;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The privileges a policy's {@code grants} gives each task login of one tier, checked when the
 * policy is loaded. The policy value is one clause (a string) or several (a list of strings); a
 * clause is
 *
 * <pre>
 * clause     = privilege { "," privilege } "ON" target
 * privilege  = SELECT | INSERT | UPDATE | DELETE | TRUNCATE | REFERENCES | TRIGGER
 *            | USAGE | EXECUTE | CONNECT | TEMPORARY | TEMP | CREATE
 * target     = "TABLE" qualified { "," qualified }
 *            | "SEQUENCE" qualified { "," qualified }
 *            | "SCHEMA" name { "," name }
 *            | "DATABASE" name { "," name }
 *            | "ALL" ( "TABLES" | "SEQUENCES" | "FUNCTIONS" ) "IN" "SCHEMA" name { "," name }
 * qualified  = name [ "." name ]
 * name       = [a-z_][a-z0-9_$]*, at most 63 bytes, unquoted
 * </pre>
 *
 * <p>Keywords are case-insensitive; names are lower case as written, and every name is
 * double-quoted in the SQL, so a name means exactly the object it spells. Each privilege must
 * apply to the target ({@code EXECUTE} only to functions, {@code USAGE} to schemas and sequences,
 * ...). Whatever is not in the grammar is refused, and with it every way of turning a clause into
 * more than one grant: no {@code ;}, quotes, comments, parentheses (column lists), {@code ALL
 * PRIVILEGES}, {@code TO}, {@code WITH GRANT OPTION} or {@code GRANTED BY}, nothing outside printable
 * ASCII. A clause is at most 1,000 characters, a list at most 32 clauses.
 *
 * <p>{@code ALL TABLES IN SCHEMA} means the tables that exist when the login is created, as in
 * PostgreSQL.
 */
public final class Grants {

    static final int MAX_CLAUSES = 32;

    private static final Grants NONE = new Grants(List.of());

    private final List<GrantClause> clauses;

    private Grants(List<GrantClause> clauses) {
        this.clauses = List.copyOf(clauses);
    }

    /**
     * Reads a policy's {@code grants} written as one string.
     *
     * @throws IllegalArgumentException "grant rejected at column N: what is wrong", for a policy
     *                                  loader to put after the file position
     */
    public static Grants parse(String clause) {
        return new Grants(List.of(GrantParser.parse(clause)));
    }

    /**
     * Reads a policy's {@code grants} written as a list of clauses.
     *
     * @throws IllegalArgumentException for an empty or too long list, or "grants[I]: grant rejected
     *                                  at column N: ..." naming the first bad clause (counting from 0)
     */
    public static Grants parse(List<String> clauses) {
        Objects.requireNonNull(clauses, "clauses");
        if (clauses.isEmpty()) {
            throw new IllegalArgumentException("grants rejected: the list is empty");
        }
        if (clauses.size() > MAX_CLAUSES) {
            throw new IllegalArgumentException("grants rejected: more than " + MAX_CLAUSES + " clauses");
        }
        List<GrantClause> parsed = new ArrayList<>();
        for (int i = 0; i < clauses.size(); i++) {
            try {
                parsed.add(GrantParser.parse(clauses.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("grants[" + i + "]: " + e.getMessage(), e);
            }
        }
        return new Grants(parsed);
    }

    /** No grants, for a login that only joins group roles. */
    public static Grants none() {
        return NONE;
    }

    public boolean isEmpty() {
        return clauses.isEmpty();
    }

    /** The GRANT statements that give these privileges to {@code role}, in policy order. */
    public List<String> statements(RoleName role) {
        Objects.requireNonNull(role, "role");
        return clauses.stream().map(clause -> clause.sql(role.value())).toList();
    }

    /** The clauses as a policy would write them, normalised: for audit records and messages. */
    public List<String> clauses() {
        return clauses.stream().map(GrantClause::toString).toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Grants grants && grants.clauses.equals(clauses);
    }

    @Override
    public int hashCode() {
        return clauses.hashCode();
    }

    @Override
    public String toString() {
        return "Grants" + clauses();
    }
}
