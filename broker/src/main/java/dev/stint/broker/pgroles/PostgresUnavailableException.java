package dev.stint.broker.pgroles;

import java.util.Objects;

/**
 * The work could not be done in PostgreSQL. The broker answers 503 whatever the {@link #kind()},
 * and never hands out a login it could not finish making; the kind says who can fix it.
 *
 * <p>The message names the connection, the operation and the login, and PostgreSQL's own words
 * when it gave any, cleaned of anything that follows the word "password". It never holds the admin
 * password or a login's password, and no cause is attached, so that no driver text reaches a log
 * unseen.
 */
public final class PostgresUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Who can fix it. */
    public enum Kind {
        /** Unreachable, too slow, overloaded, shutting down, or an answer that makes no sense: retry later. */
        UNAVAILABLE,
        /**
         * Refused for a reason a person must fix: the admin user lacks a right, its login is
         * refused, or the policy names a schema, table or group role that does not exist or that
         * would lift a task login above its grants.
         */
        MISCONFIGURED,
        /** A revocation ran but the role, or a session of it, is still there: retry it. */
        NOT_GONE
    }

    private final Kind kind;
    private final boolean conflict;

    PostgresUnavailableException(Kind kind, String reason) {
        this(kind, reason, false);
    }

    PostgresUnavailableException(Kind kind, String reason, boolean conflict) {
        super(Objects.requireNonNull(reason, "reason"), null, false, true);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.conflict = conflict;
    }

    /**
     * Whether the transaction lost a race with another one on the server (a serialization failure,
     * a deadlock, or two GRANTs updating the same catalog row at once): it changed nothing and
     * succeeds when run again.
     */
    boolean conflict() {
        return conflict;
    }

    public Kind kind() {
        return kind;
    }

    /** The reason as written to the audit log; the same text as {@link #getMessage()}. */
    public String reason() {
        return getMessage();
    }
}
