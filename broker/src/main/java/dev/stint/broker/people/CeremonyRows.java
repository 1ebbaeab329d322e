package dev.stint.broker.people;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The rows of WebAuthn ceremonies under way. */
public final class CeremonyRows {

    private static final String COLUMNS = "ceremony_id, kind, challenge, enrollment_hash, person_id, user_handle,"
            + " expires_at";

    private final Tx tx;

    public CeremonyRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** Stores a new ceremony, dropping those that expired before {@code now} (no sweep needed). */
    public void insert(Ceremony ceremony, Instant now) throws UnavailableException {
        tx.update("DELETE FROM passkey_ceremonies WHERE expires_at < ?", ps -> set(ps, 1, now));
        tx.update("INSERT INTO passkey_ceremonies (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
            set(ps, 1, ceremony.id());
            set(ps, 2, ceremony.kind().wireName());
            set(ps, 3, ceremony.challenge());
            set(ps, 4, ceremony.enrollmentHash());
            set(ps, 5, ceremony.personId());
            set(ps, 6, ceremony.userHandle());
            set(ps, 7, ceremony.expiresAt());
        });
    }

    public Optional<Ceremony> find(String id) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM passkey_ceremonies WHERE ceremony_id = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, id), rs -> new Ceremony(rs.getString(1), Ceremony.Kind.fromWire(rs.getString(2)),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), instant(rs, 7)));
    }

    /** Spends a ceremony. @return {@code false} when it was spent already */
    public boolean delete(String id) throws UnavailableException {
        return tx.update("DELETE FROM passkey_ceremonies WHERE ceremony_id = ?", ps -> set(ps, 1, id)) == 1;
    }

    /** Drops a disabled person's enrollments under way. */
    public int deleteAllOf(String personId) throws UnavailableException {
        return tx.update("DELETE FROM passkey_ceremonies WHERE person_id = ?", ps -> set(ps, 1, personId));
    }
}
