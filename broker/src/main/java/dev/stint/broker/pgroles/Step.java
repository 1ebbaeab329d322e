package dev.stint.broker.pgroles;

/**
 * One step of making or removing a login, with the right the admin user needs for it: when
 * PostgreSQL answers "permission denied", the reason says which right is missing rather than
 * only that one is.
 */
enum Step {
    CONNECT("LOGIN and CONNECT on the database"),
    CHECK_GROUPS("nothing beyond LOGIN (the catalog is readable by all)"),
    CREATE_ROLE("CREATEROLE"),
    SET_PASSWORD("CREATEROLE"),
    GRANT("each granted privilege WITH GRANT OPTION, or ownership of the objects"),
    JOIN_GROUP("CREATEROLE, and from PostgreSQL 16 ADMIN OPTION on the group role"),
    COMMENT("CREATEROLE"),
    COMMIT("nothing more"),
    TAKE_OVER("CREATEROLE (from PostgreSQL 16, ADMIN OPTION on the login, which its creator has)"),
    DISABLE("CREATEROLE"),
    END_SESSIONS("membership in the login (taken over in the step before)"),
    DROP_OWNED("membership in the login, and CREATE on each schema where the login created objects"),
    DROP_ROLE("CREATEROLE"),
    VERIFY("nothing beyond LOGIN (the catalog is readable by all)"),
    LIST("nothing beyond LOGIN (the catalog is readable by all)");

    private final String needs;

    Step(String needs) {
        this.needs = needs;
    }

    /** The right the admin user needs for this step. */
    String needs() {
        return needs;
    }
}
