package dev.stint.broker.federation;

import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import java.time.Instant;
import java.util.Objects;

/** CI tokens already exchanged, kept until they expire: a CI token buys one agent token. */
public final class SubjectTokenRows {

    private final Tx tx;

    public SubjectTokenRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /** @return {@code false} when this token was exchanged before: a replay */
    public boolean spend(String issuer, String tokenId, Instant expiresAt) throws UnavailableException {
        return tx.update("INSERT INTO used_subject_tokens (issuer, token_id, expires_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (issuer, token_id) DO NOTHING", ps -> {
                    set(ps, 1, issuer);
                    set(ps, 2, tokenId);
                    set(ps, 3, expiresAt);
                }) == 1;
    }

    /** Forgets tokens that expired before {@code now}: they would be refused as expired anyway. */
    public int purgeExpired(Instant now) throws UnavailableException {
        return tx.update("DELETE FROM used_subject_tokens WHERE expires_at < ?", ps -> set(ps, 1, now));
    }
}
