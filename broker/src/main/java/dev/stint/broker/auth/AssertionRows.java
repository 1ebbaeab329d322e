package dev.stint.broker.auth;

import static dev.stint.broker.store.Columns.set;

import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import java.time.Instant;
import java.util.Objects;

/** Spent client-assertion ids, kept until the assertion could no longer be accepted anyway. */
public final class AssertionRows {

    private final Tx tx;

    public AssertionRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    /**
     * Remembers an assertion's jti until it expires.
     *
     * @return {@code false} when the jti was seen before: a replay
     */
    public boolean spend(AgentId agentId, String jti, Instant expiresAt) throws UnavailableException {
        return tx.update("INSERT INTO used_assertions (agent_id, jti, expires_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (agent_id, jti) DO NOTHING", ps -> {
                    set(ps, 1, agentId.value());
                    set(ps, 2, jti);
                    set(ps, 3, expiresAt);
                }) == 1;
    }

    /** Forgets ids of assertions that expired before {@code now}. */
    public int purgeExpired(Instant now) throws UnavailableException {
        return tx.update("DELETE FROM used_assertions WHERE expires_at < ?", ps -> set(ps, 1, now));
    }
}
