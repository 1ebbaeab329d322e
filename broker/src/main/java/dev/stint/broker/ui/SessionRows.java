package dev.stint.broker.ui;

import dev.stint.broker.people.SignInMethod;
import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The rows of signed-in browsers. */
public final class SessionRows {

    private final Tx tx;

    public SessionRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** Ends every session of a person (disabled); usable as {@code people.SignedInSessions}. */
    public static int endAllOf(Tx tx, String personId, Instant now) throws UnavailableException {
        return tx.update("DELETE FROM person_sessions WHERE person_id = ?", ps -> set(ps, 1, personId));
    }

    /** Stores a new session, dropping sessions that ended before {@code now} (no sweep needed). */
    void insert(PersonSession session, Instant now) throws UnavailableException {
        tx.update("DELETE FROM person_sessions WHERE expires_at < ?", ps -> set(ps, 1, now));
        tx.update("INSERT INTO person_sessions (session_hash, person_id, created_at, last_seen_at, expires_at,"
                + " sign_in_method) VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                    set(ps, 1, session.hash());
                    set(ps, 2, session.personId());
                    set(ps, 3, session.createdAt());
                    set(ps, 4, session.lastSeenAt());
                    set(ps, 5, session.expiresAt());
                    set(ps, 6, session.method().wireName());
                });
    }

    Optional<PersonSession> find(String hash) throws UnavailableException {
        return tx.one("SELECT session_hash, person_id, created_at, last_seen_at, expires_at, sign_in_method"
                + " FROM person_sessions WHERE session_hash = ?", ps -> set(ps, 1, hash),
                rs -> new PersonSession(rs.getString(1), rs.getString(2), instant(rs, 3), instant(rs, 4),
                        instant(rs, 5), SignInMethod.parse(rs.getString(6))));
    }

    void touch(String hash, Instant at) throws UnavailableException {
        tx.update("UPDATE person_sessions SET last_seen_at = ? WHERE session_hash = ? AND last_seen_at < ?", ps -> {
            set(ps, 1, at);
            set(ps, 2, hash);
            set(ps, 3, at);
        });
    }

    void delete(String hash) throws UnavailableException {
        tx.update("DELETE FROM person_sessions WHERE session_hash = ?", ps -> set(ps, 1, hash));
    }
}
