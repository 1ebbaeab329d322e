package dev.stint.broker.store;

/**
 * The SQL a feature's rows may need to vary by database. Everything else is portable SQL that
 * SQLite and PostgreSQL both run (parameters bound, never concatenated; times as epoch
 * milliseconds in 64-bit integers; {@code ON CONFLICT ... DO NOTHING} for insert-if-absent).
 */
public enum Dialect {
    /** The embedded store: one serial writer, so a unit's reads cannot be raced by another unit. */
    SQLITE(""),
    /** A shared store: units run concurrently, so check-then-act reads must lock what they read. */
    POSTGRESQL(" FOR UPDATE");

    private final String forUpdate;

    Dialect(String forUpdate) {
        this.forUpdate = forUpdate;
    }

    /**
     * The suffix of a {@code SELECT} whose rows a write unit goes on to change on the strength of
     * what it read (a task's status before ending it, the audit chain's head before appending).
     * Empty where the store already serialises units.
     */
    public String forUpdate() {
        return forUpdate;
    }
}
