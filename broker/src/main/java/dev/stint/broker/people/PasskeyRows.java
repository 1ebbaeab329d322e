package dev.stint.broker.people;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The passkeys' rows. */
public final class PasskeyRows {

    private static final String COLUMNS = "credential_id, person_id, public_key, aaguid, sign_count, user_handle,"
            + " created_at, last_used_at";

    private final Tx tx;

    public PasskeyRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** @return {@code false} when a passkey with that credential id exists already */
    public boolean insert(Passkey passkey) throws UnavailableException {
        return tx.update("INSERT INTO passkeys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT DO NOTHING", ps -> {
                    set(ps, 1, passkey.credentialId());
                    set(ps, 2, passkey.personId());
                    set(ps, 3, passkey.publicKey());
                    set(ps, 4, passkey.aaguid());
                    ps.setLong(5, passkey.signCount());
                    set(ps, 6, passkey.userHandle());
                    set(ps, 7, passkey.createdAt());
                    set(ps, 8, passkey.lastUsedAt());
                }) == 1;
    }

    public Optional<Passkey> find(String credentialId) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM passkeys WHERE credential_id = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, credentialId), PasskeyRows::row);
    }

    /** The person's passkeys, oldest first; empty when none. */
    public List<Passkey> of(String personId) throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM passkeys WHERE person_id = ? ORDER BY created_at",
                ps -> set(ps, 1, personId), PasskeyRows::row);
    }

    /**
     * Records a use: the new counter, if the stored one is still {@code expected} (a concurrent use
     * of the same passkey raised it first otherwise).
     *
     * @return {@code false} when the counter moved meanwhile
     */
    public boolean recordUse(String credentialId, long expected, long signCount, Instant at)
            throws UnavailableException {
        return tx.update("UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE credential_id = ?"
                + " AND sign_count = ?", ps -> {
                    ps.setLong(1, signCount);
                    set(ps, 2, at);
                    set(ps, 3, credentialId);
                    ps.setLong(4, expected);
                }) == 1;
    }

    private static Passkey row(ResultSet rs) throws SQLException {
        return new Passkey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getString(6), instant(rs, 7), instant(rs, 8));
    }
}
