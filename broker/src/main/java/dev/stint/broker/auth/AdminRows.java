package dev.stint.broker.auth;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The admin credential's rows: the SHA-256 of the one in force, never the secret. */
public final class AdminRows {

    /**
     * The admin credential in force.
     *
     * @param since when it was created
     * @param rotated {@code false} for the bootstrap credential (whose secret was written to the
     *     data directory), {@code true} for one made by rotation (whose secret was given once to the
     *     caller and stored nowhere)
     */
    public record Current(String hash, Instant since, boolean rotated) {
        public Current {
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(since, "since");
        }
    }

    private final Tx tx;

    /** The topic other brokers hear when the admin credential is replaced. */
    public static final String CHANGES = "admin";

    public AdminRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** The admin credential in force (locked in a write unit); empty before the first start. */
    public Optional<Current> current() throws UnavailableException {
        return tx.one("SELECT token_hash, created_at, origin FROM admin_credentials ORDER BY created_at DESC LIMIT 1"
                + tx.lockForUpdate(), Tx.Binder.NONE,
                rs -> new Current(rs.getString(1), instant(rs, 2), "rotation".equals(rs.getString(3))));
    }

    /** Stores the first admin credential, whose secret went to the data directory. */
    public void insertBootstrap(String hash, Instant at) throws UnavailableException {
        tx.update("INSERT INTO admin_credentials (token_hash, created_at, origin) VALUES (?, ?, 'bootstrap')", ps -> {
            set(ps, 1, hash);
            set(ps, 2, at);
        });
    }

    /** Replaces every stored admin credential with a new one: the old ones stop authenticating. */
    public void replace(String hash, Instant at) throws UnavailableException {
        tx.announce(CHANGES, "");
        tx.update("DELETE FROM admin_credentials", Tx.Binder.NONE);
        tx.update("INSERT INTO admin_credentials (token_hash, created_at, origin) VALUES (?, ?, 'rotation')", ps -> {
            set(ps, 1, hash);
            set(ps, 2, at);
        });
    }
}
