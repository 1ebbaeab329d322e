package dev.stint.broker.auth;

import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The admin credential's rows: the SHA-256 of the current one; the newest row is in force. */
public final class AdminRows {

    private final Tx tx;

    public AdminRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** The hash of the admin credential in force; empty before the first start. */
    public Optional<String> currentHash() throws UnavailableException {
        return tx.one("SELECT token_hash FROM admin_credentials ORDER BY created_at DESC LIMIT 1", Tx.Binder.NONE,
                rs -> rs.getString(1));
    }

    public void insert(String hash, Instant at) throws UnavailableException {
        tx.update("INSERT INTO admin_credentials (token_hash, created_at) VALUES (?, ?)", ps -> {
            set(ps, 1, hash);
            set(ps, 2, at);
        });
    }
}
