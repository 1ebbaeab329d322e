package dev.stint.broker.keys;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The signing keys' rows: public half in clear, private half sealed. At most one is active and at
 * most one is next (unique indexes enforce both).
 */
public final class KeyRows {

    private static final String COLUMNS =
            "kid, public_jwk, sealed_private_jwk, created_at, activated_at, retired_at, verify_until";

    private final Tx tx;

    /** The topic other brokers hear when a signing key is added, activated or retired; the key is its kid. */
    public static final String CHANGES = "keys";

    public KeyRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** Every stored key, oldest first (locked in a write unit); empty before the first start. */
    public List<StoredKey> all() throws UnavailableException {
        return tx.many("SELECT " + COLUMNS + " FROM signing_keys ORDER BY created_at, activated_at"
                + tx.lockForUpdate(), Tx.Binder.NONE, rs -> new StoredKey(
                        rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), instant(rs, 5),
                        instant(rs, 6), instant(rs, 7)));
    }

    public void insert(StoredKey key) throws UnavailableException {
        tx.announce(CHANGES, key.kid());
        tx.update("INSERT INTO signing_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
            set(ps, 1, key.kid());
            set(ps, 2, key.publicJwk());
            set(ps, 3, key.sealedPrivateJwk());
            set(ps, 4, key.createdAt());
            set(ps, 5, key.activatedAt());
            set(ps, 6, key.retiredAt());
            set(ps, 7, key.verifyUntil());
        });
    }

    /** @return {@code false} when that key is not the active one (already retired, next, or absent) */
    public boolean retire(String kid, Instant retiredAt, Instant verifyUntil) throws UnavailableException {
        tx.announce(CHANGES, kid);
        return tx.update("UPDATE signing_keys SET retired_at = ?, verify_until = ?"
                + " WHERE kid = ? AND activated_at IS NOT NULL AND retired_at IS NULL", ps -> {
                    set(ps, 1, retiredAt);
                    set(ps, 2, verifyUntil);
                    set(ps, 3, kid);
                }) == 1;
    }

    /** Makes the next key the active one. @return {@code false} when that key is not the next one */
    public boolean activate(String kid, Instant activatedAt) throws UnavailableException {
        return tx.update("UPDATE signing_keys SET activated_at = ?"
                + " WHERE kid = ? AND activated_at IS NULL AND retired_at IS NULL", ps -> {
                    set(ps, 1, activatedAt);
                    set(ps, 2, kid);
                }) == 1;
    }
}
