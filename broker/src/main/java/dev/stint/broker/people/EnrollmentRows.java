package dev.stint.broker.people;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The enrollment links' rows: the SHA-256 of each link's secret, never the secret. */
public final class EnrollmentRows {

    private final Tx tx;

    public EnrollmentRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    public void insert(Enrollment enrollment) throws UnavailableException {
        tx.update("INSERT INTO enrollments (token_hash, person_id, created_at, expires_at, used_at)"
                + " VALUES (?, ?, ?, ?, NULL)", ps -> {
                    set(ps, 1, enrollment.tokenHash());
                    set(ps, 2, enrollment.personId());
                    set(ps, 3, enrollment.createdAt());
                    set(ps, 4, enrollment.expiresAt());
                });
    }

    public Optional<Enrollment> byHash(String tokenHash) throws UnavailableException {
        return tx.one("SELECT token_hash, person_id, created_at, expires_at, used_at FROM enrollments"
                + " WHERE token_hash = ?" + tx.lockForUpdate(), ps -> set(ps, 1, tokenHash),
                rs -> new Enrollment(rs.getString(1), rs.getString(2), instant(rs, 3), instant(rs, 4),
                        instant(rs, 5)));
    }

    /** @return {@code false} when it was used already (by a concurrent registration) */
    public boolean markUsed(String tokenHash, Instant at) throws UnavailableException {
        return tx.update("UPDATE enrollments SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", ps -> {
            set(ps, 1, at);
            set(ps, 2, tokenHash);
        }) == 1;
    }

    /** Ends every open link of a person (they were disabled); returns how many were open. */
    public int voidAllOf(String personId, Instant at) throws UnavailableException {
        return tx.update("UPDATE enrollments SET used_at = ? WHERE person_id = ? AND used_at IS NULL", ps -> {
            set(ps, 1, at);
            set(ps, 2, personId);
        });
    }
}
