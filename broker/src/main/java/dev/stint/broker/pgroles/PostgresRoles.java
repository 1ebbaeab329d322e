package dev.stint.broker.pgroles;

import java.security.SecureRandom;
import java.sql.Array;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * Task logins in one PostgreSQL database: made with exactly a tier's grants, removed with their
 * sessions, found again from the catalog alone. Plain JDBC on the calling thread (the broker calls
 * it from worker threads); thread-safe, as it keeps no state between calls.
 *
 * <p>Two kinds of failure: {@link IllegalArgumentException} for input that is not a Stint name,
 * checked before a connection is opened, and {@link PostgresUnavailableException} for everything
 * PostgreSQL did or did not do. No message holds a password.
 *
 * <p>Needs PostgreSQL 14 or later ({@code pg_terminate_backend} with a timeout); the tests run on
 * 14, and passed on 16 and 18 too. The admin user's rights, and how they differ from 16 on, are in the README ("Built-in
 * PostgreSQL provider: rights of the admin user").
 */
public final class PostgresRoles {

    /** How long one {@code pg_terminate_backend} waits for the session to end. */
    static final Duration TERMINATE_WAIT = Duration.ofSeconds(1);
    /** How long a revocation waits, in all, for the sessions it ended to leave {@code pg_stat_activity}. */
    static final Duration SESSIONS_GONE_WAIT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int PASSWORD_BYTES = 32;
    /** Runs of one create or revoke that lost a race with a concurrent transaction. */
    static final int CONFLICT_ATTEMPTS = 8;

    private final ConnectionSource connections;
    private final Failures failures;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param where       the connection as reasons should name it, e.g. {@code orders-dev
     *                    (db1.internal:5432/orders)}; never a password
     * @param connections admin connections to the database
     */
    public PostgresRoles(String where, ConnectionSource connections) {
        this.failures = new Failures(Objects.requireNonNull(where, "where"));
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    /**
     * Makes a login in one transaction: the role ({@code LOGIN INHERIT}, no other attribute,
     * {@code VALID UNTIL} the comment's deadline), its password (sent as a SCRAM-SHA-256 verifier
     * computed here, so the password itself is in no statement and no server log), the grants, the
     * group memberships and the comment. If any step fails nothing is left, except when the
     * connection is lost at the commit itself, when PostgreSQL may have committed: so the caller
     * records the name before calling and revokes it after any failure ({@link #revoke} is a no-op
     * for a name that does not exist).
     *
     * <p>Before creating anything it checks that each group role exists, and that none of them is,
     * or can through its own memberships become, a role with SUPERUSER, CREATEROLE, CREATEDB,
     * REPLICATION or BYPASSRLS: a member may {@code SET ROLE} to it.
     *
     * @param inRoles the group roles to join; may be empty
     * @param comment task, tier, deadline and broker; its deadline is the role's {@code VALID UNTIL}
     * @return the username and the password, which exists nowhere else
     * @throws PostgresUnavailableException nothing was made (but see above for a lost commit)
     */
    public CreatedLogin create(RoleName name, Grants grants, List<GroupRole> inRoles, RoleComment comment)
            throws PostgresUnavailableException {
        return untilNoConflict(() -> createOnce(name, grants, inRoles, comment));
    }

    private CreatedLogin createOnce(RoleName name, Grants grants, List<GroupRole> inRoles, RoleComment comment)
            throws PostgresUnavailableException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(grants, "grants");
        Objects.requireNonNull(inRoles, "inRoles");
        Objects.requireNonNull(comment, "comment");
        List<String> groups = new ArrayList<>(new LinkedHashSet<>(inRoles.stream().map(GroupRole::name).toList()));
        String password = newPassword();
        try (Session session = Session.open(connections, failures, "create " + name)) {
            session.hide(password);
            checkGroups(session, groups);
            PGConnection pg = session.pg();
            String role = Identifiers.quote(name.value());
            String database = session.query(Step.CREATE_ROLE, "SELECT current_database()::text", s -> { },
                    row -> row.getString(1)).get(0);
            String[] literals = new String[2];
            session.run(Step.CREATE_ROLE, () -> {
                literals[0] = pg.escapeLiteral(comment.deadline().toString());
                literals[1] = pg.escapeLiteral(comment.inDatabase(database).text());
            });
            session.execute(Step.CREATE_ROLE, "CREATE ROLE " + role + " LOGIN INHERIT NOSUPERUSER NOCREATEDB"
                    + " NOCREATEROLE NOREPLICATION NOBYPASSRLS VALID UNTIL '" + literals[0] + "'");
            session.run(Step.SET_PASSWORD,
                    () -> pg.alterUserPassword(name.value(), password.toCharArray(), "scram-sha-256"));
            for (String grant : grants.statements(name)) {
                session.execute(Step.GRANT, grant);
            }
            for (String group : groups) {
                session.execute(Step.JOIN_GROUP, "GRANT " + Identifiers.quote(group) + " TO " + role);
            }
            session.execute(Step.COMMENT, "COMMENT ON ROLE " + role + " IS '" + literals[1] + "'");
            session.commit(Step.COMMIT);
        }
        return new CreatedLogin(name.value(), password);
    }

    /**
     * Removes a login and verifies that it is gone. Each step may be repeated, so a retry after any
     * failure picks up where the last attempt stopped, and a name that never existed succeeds:
     * <ol>
     *   <li>take the role over ({@code GRANT "x" TO CURRENT_USER}: the admin needs the role's
     *       privileges to end its sessions and drop what it owns) and {@code ALTER ROLE NOLOGIN},
     *       committed at once so that no new session starts;</li>
     *   <li>{@code pg_terminate_backend} each of its sessions, in any database, and wait until
     *       they are gone (else NOT_GONE, with the role kept so that a retry finds them);</li>
     *   <li>{@code REASSIGN OWNED BY "x" TO CURRENT_USER} (what the task created, e.g. by a
     *       migration, is kept and owned by the admin), {@code DROP OWNED BY "x"} (its privileges),
     *       {@code DROP ROLE IF EXISTS "x"};</li>
     *   <li>end any session that slipped in meanwhile, then verify in the catalog that no role of
     *       that name and no session of its oid remains.</li>
     * </ol>
     * REASSIGN and DROP OWNED act in the connection's database only. If the login owns objects or
     * holds privileges in another database (it may have created a table in a database whose public
     * schema lets everyone create, as before PostgreSQL 15), the role cannot be dropped: the
     * revocation fails as NOT_GONE naming those databases, with the login already unable to log in
     * and without sessions.
     *
     * @param username a Stint task login's name
     * @throws IllegalArgumentException     when it is not one (before any SQL)
     * @throws PostgresUnavailableException the login may still exist; retry
     */
    public void revoke(String username) throws PostgresUnavailableException {
        RoleName name = new RoleName(username);
        untilNoConflict(() -> {
            revokeOnce(name);
            return null;
        });
    }

    /** A unit of work on the admin connection, run again when it lost a race (see {@link #untilNoConflict}). */
    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws PostgresUnavailableException;
    }

    /**
     * Runs {@code attempt}, again (a few times, after a short random pause) when the server rolled
     * it back for a conflict with a concurrent transaction: several tasks' logins granted on one
     * schema at once collide on its catalog row, and each would otherwise be answered 503.
     */
    private <T> T untilNoConflict(Attempt<T> attempt) throws PostgresUnavailableException {
        for (int run = 1; ; run++) {
            try {
                return attempt.run();
            } catch (PostgresUnavailableException e) {
                if (!e.conflict() || run >= CONFLICT_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(random.nextInt(5, 20 * run));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void revokeOnce(RoleName name) throws PostgresUnavailableException {
        try (Session session = Session.open(connections, failures, "revoke " + name)) {
            Long oid = takeOver(session, name);
            if (oid != null) {
                endSessions(session, name, oid);
                drop(session, name, oid);
                endSessions(session, name, oid);
            }
            List<Long> left = session.query(Step.VERIFY, "SELECT oid::bigint FROM pg_roles WHERE rolname = ?",
                    s -> s.setString(1, name.value()), row -> row.getLong(1));
            session.commit(Step.VERIFY);
            if (!left.isEmpty()) {
                throw failures.notGone(session.action(), "the role still exists after DROP ROLE");
            }
        }
    }

    /**
     * The oid of a login another system made (a Vault database user), remembered before that
     * system drops it: once the role is gone its sessions show no user name, only this oid.
     *
     * @param username the login's name as the other system gave it: letters, digits, {@code _ . -}
     * @return empty when there is no such role
     * @throws IllegalArgumentException for any other name, before any SQL
     */
    public Optional<Long> oidOf(String username) throws PostgresUnavailableException {
        String name = foreignName(username);
        try (Session session = Session.open(connections, failures, "look up " + name)) {
            List<Long> oids = session.query(Step.LIST, "SELECT oid::bigint FROM pg_roles WHERE rolname = ?",
                    s -> s.setString(1, name), row -> row.getLong(1));
            session.commit(Step.LIST);
            return oids.stream().findFirst();
        }
    }

    /**
     * After another system dropped a login (Vault's PostgreSQL plugin drops the role but never ends
     * its sessions): ends every session of the role that had {@code oid}, and verifies that no
     * session of it and no role named {@code username} is left.
     *
     * @throws PostgresUnavailableException (NOT_GONE) when a session or the role remains
     */
    public void endSessionsAndVerifyGone(String username, long oid) throws PostgresUnavailableException {
        String name = foreignName(username);
        try (Session session = Session.open(connections, failures, "end the sessions of " + name)) {
            endSessions(session, name, oid);
            List<Long> left = session.query(Step.VERIFY, "SELECT oid::bigint FROM pg_roles WHERE rolname = ?",
                    s -> s.setString(1, name), row -> row.getLong(1));
            session.commit(Step.VERIFY);
            if (!left.isEmpty()) {
                throw failures.notGone(session.action(), "the role still exists after its lease was revoked");
            }
        }
    }

    private static String foreignName(String username) {
        if (username == null || !username.matches("[A-Za-z0-9_.-]{1,63}")) {
            throw new IllegalArgumentException("a database user name of 1-63 letters, digits, '_', '.' or '-'");
        }
        return username;
    }

    /**
     * The Stint logins whose deadline has passed, from the catalog alone: a role is listed only if
     * its name has Stint's exact shape ({@link RoleName#isStintName}), its comment starts with
     * {@link RoleComment#MARKER}, its comment names this connection's database (roles belong to
     * the whole server, what they own to one database: another database's logins are left to the
     * provider connected there), and its {@code VALID UNTIL} is at or before {@code now}. A role
     * with the prefix but not the marker, or the marker but not the name, is never listed.
     *
     * @return names, earliest deadline first; empty when there are none
     */
    public List<String> expired(Instant now) throws PostgresUnavailableException {
        Objects.requireNonNull(now, "now");
        try (Session session = Session.open(connections, failures, "list expired logins")) {
            String database = session.query(Step.LIST, "SELECT current_database()::text", s -> { },
                    row -> row.getString(1)).get(0);
            List<String[]> rows = session.query(Step.LIST,
                    "SELECT rolname::text, shobj_description(oid, 'pg_authid') FROM pg_roles"
                            + " WHERE rolname::text LIKE ? AND rolvaliduntil <= ? ORDER BY rolvaliduntil, rolname",
                    s -> {
                        s.setString(1, "stint\\_%");
                        s.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    },
                    row -> new String[] {row.getString(1), row.getString(2)});
            session.commit(Step.LIST);
            return rows.stream()
                    .filter(row -> RoleName.isStintName(row[0]) && RoleComment.isMarked(row[1])
                            && madeIn(row[1], database))
                    .map(row -> row[0])
                    .toList();
        }
    }

    /**
     * Whether a marked comment says the login was made in {@code database}. A marked comment that
     * cannot be read is taken as made here: the marker and the name are Stint's, and a login no
     * reaper claims would live on.
     */
    private static boolean madeIn(String comment, String database) {
        return RoleComment.parse(comment).map(c -> database.equals(c.database())).orElse(true);
    }

    private void checkGroups(Session session, List<String> groups) throws PostgresUnavailableException {
        if (groups.isEmpty()) {
            return;
        }
        Array names = session.textArray(groups);
        List<String> missing = session.query(Step.CHECK_GROUPS,
                "SELECT name FROM unnest(?::text[]) AS name"
                        + " WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname::text = name) ORDER BY name",
                s -> s.setArray(1, names), row -> row.getString(1));
        if (!missing.isEmpty()) {
            throw failures.misconfigured(session.action(), "group role " + String.join(", ", missing)
                    + " does not exist");
        }
        // Membership is transitive and a member may SET ROLE to any role up the chain, whose
        // attributes (unlike its privileges) are not capped by the grants.
        List<String> lifting = session.query(Step.CHECK_GROUPS, """
                WITH RECURSIVE reach(oid, via) AS (
                    SELECT oid, rolname::text FROM pg_roles WHERE rolname::text = ANY (?)
                    UNION
                    SELECT m.roleid, reach.via FROM pg_auth_members m JOIN reach ON m.member = reach.oid)
                SELECT reach.via, r.rolname::text, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication,
                       r.rolbypassrls
                FROM reach JOIN pg_roles r ON r.oid = reach.oid
                WHERE r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
                ORDER BY 1, 2 LIMIT 1""", s -> s.setArray(1, names), row -> {
                    String attributes = (row.getBoolean(3) ? " SUPERUSER" : "") + (row.getBoolean(4) ? " CREATEROLE" : "")
                            + (row.getBoolean(5) ? " CREATEDB" : "") + (row.getBoolean(6) ? " REPLICATION" : "")
                            + (row.getBoolean(7) ? " BYPASSRLS" : "");
                    String via = row.getString(1).equals(row.getString(2)) ? "group role " + row.getString(1) + " has"
                            : "group role " + row.getString(1) + " can become " + row.getString(2) + ", which has";
                    return via + attributes;
                });
        if (!lifting.isEmpty()) {
            throw failures.misconfigured(session.action(), lifting.get(0) + ": a task login could SET ROLE to it");
        }
    }

    /** Step 1 of {@link #revoke}; returns the role's oid, or null when there is no such role. */
    private Long takeOver(Session session, RoleName name) throws PostgresUnavailableException {
        List<Long> oids = session.query(Step.TAKE_OVER, "SELECT oid::bigint FROM pg_roles WHERE rolname = ?",
                s -> s.setString(1, name.value()), row -> row.getLong(1));
        if (oids.isEmpty()) {
            session.commit(Step.TAKE_OVER);
            return null;
        }
        String role = Identifiers.quote(name.value());
        if (session.executeIfRoleExists(Step.TAKE_OVER, "GRANT " + role + " TO CURRENT_USER")
                && session.executeIfRoleExists(Step.DISABLE, "ALTER ROLE " + role + " NOLOGIN")) {
            session.commit(Step.DISABLE);
        }
        return oids.get(0);
    }

    /** Ends every session of the role's oid and waits, bounded, until none is listed. */
    private void endSessions(Session session, Object name, long oid) throws PostgresUnavailableException {
        session.query(Step.END_SESSIONS,
                "SELECT pg_terminate_backend(pid, ?) FROM pg_stat_activity WHERE usesysid = ?::oid",
                s -> {
                    s.setLong(1, TERMINATE_WAIT.toMillis());
                    s.setLong(2, oid);
                }, row -> row.getBoolean(1));
        session.commit(Step.END_SESSIONS);
        long polls = SESSIONS_GONE_WAIT.toMillis() / POLL.toMillis();
        for (long i = 0; ; i++) {
            // A new transaction each time: pg_stat_activity is a snapshot taken once per transaction.
            List<Integer> open = session.query(Step.END_SESSIONS,
                    "SELECT count(*)::int FROM pg_stat_activity WHERE usesysid = ?::oid",
                    s -> s.setLong(1, oid), row -> row.getInt(1));
            session.commit(Step.END_SESSIONS);
            if (open.get(0) == 0) {
                return;
            }
            if (i >= polls) {
                throw failures.notGone(session.action(), open.get(0) + " session(s) of " + name
                        + " still open after pg_terminate_backend");
            }
            pause(session);
        }
    }

    /** Step 3 of {@link #revoke}. */
    private void drop(Session session, RoleName name, long oid) throws PostgresUnavailableException {
        String role = Identifiers.quote(name.value());
        if (!session.executeIfRoleExists(Step.DROP_OWNED, "REASSIGN OWNED BY " + role + " TO CURRENT_USER")
                || !session.executeIfRoleExists(Step.DROP_OWNED, "DROP OWNED BY " + role)) {
            return;
        }
        // What DROP ROLE would trip over, named rather than left to its "some objects depend on it".
        List<String[]> left = session.query(Step.DROP_OWNED, """
                SELECT DISTINCT coalesce(d.datname::text, '(shared objects)'), s.dbid = here.oid
                FROM pg_shdepend s LEFT JOIN pg_database d ON d.oid = s.dbid,
                     (SELECT oid FROM pg_database WHERE datname = current_database()) here
                WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = ?::oid ORDER BY 1""",
                s -> s.setLong(1, oid), row -> new String[] {row.getString(1), row.getBoolean(2) ? "here" : "elsewhere"});
        if (!left.isEmpty()) {
            session.commit(Step.DROP_OWNED);
            List<String> elsewhere = left.stream().filter(row -> row[1].equals("elsewhere")).map(row -> row[0]).toList();
            throw failures.notGone(session.action(), elsewhere.isEmpty()
                    ? name + " still holds privileges that another role granted (DROP OWNED revokes only the admin"
                            + " user's grants): revoke them as their grantor"
                    : name + " still owns objects or holds privileges in " + String.join(", ", elsewhere)
                            + ", which REASSIGN OWNED and DROP OWNED reach only from a connection to that database");
        }
        session.execute(Step.DROP_ROLE, "DROP ROLE IF EXISTS " + role);
        session.commit(Step.DROP_ROLE);
    }

    private void pause(Session session) throws PostgresUnavailableException {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.unavailable(session.action(), "interrupted while waiting for sessions to end");
        }
    }

    private String newPassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
