package dev.stint.broker.approvals;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The rows of approval ceremonies under way. */
final class ChallengeRows {

    private final Tx tx;

    ChallengeRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** Stores a new ceremony, dropping those that expired before {@code now} (no sweep needed). */
    void insert(ApprovalChallenge challenge, Instant now) throws UnavailableException {
        tx.update("DELETE FROM approval_challenges WHERE expires_at < ?", ps -> set(ps, 1, now));
        tx.update("INSERT INTO approval_challenges (nonce, approval_id, person_id, expires_at) VALUES (?, ?, ?, ?)",
                ps -> {
                    set(ps, 1, challenge.nonce());
                    set(ps, 2, challenge.approvalId());
                    set(ps, 3, challenge.personId());
                    set(ps, 4, challenge.expiresAt());
                });
    }

    Optional<ApprovalChallenge> find(String nonce) throws UnavailableException {
        return tx.one("SELECT nonce, approval_id, person_id, expires_at FROM approval_challenges WHERE nonce = ?"
                + tx.lockForUpdate(), ps -> set(ps, 1, nonce), rs -> new ApprovalChallenge(rs.getString(1),
                        rs.getString(2), rs.getString(3), instant(rs, 4)));
    }

    /** Spends a ceremony. @return {@code false} when it was spent already */
    boolean delete(String nonce) throws UnavailableException {
        return tx.update("DELETE FROM approval_challenges WHERE nonce = ?", ps -> set(ps, 1, nonce)) == 1;
    }
}
