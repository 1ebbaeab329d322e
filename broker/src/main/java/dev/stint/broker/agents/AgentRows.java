package dev.stint.broker.agents;

import static dev.stint.broker.store.Columns.instant;
import static dev.stint.broker.store.Columns.set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.http.UnavailableException;
import dev.stint.broker.store.Tx;
import dev.stint.token.AgentId;
import dev.stint.token.Tier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/** The agents' rows. */
public final class AgentRows {

    /**
     * Parsed agent key sets by their stored JSON. Agents are read on every authenticated request
     * and parsing a JWK Set costs more than the query; the JSON is the key, so a changed set is
     * simply a new entry. A pure memo: it holds nothing that is not in the row.
     */
    private static final Cache<String, JWKSet> PARSED_JWKS = Caffeine.newBuilder().maximumSize(10_000).build();

    private static final String COLUMNS = "agent_id, owner, purpose, tiers, jwks, status, created_at, updated_at";

    private final Tx tx;

    /** The topic other brokers hear when an agent's status or logins change; the key is the agent id. */
    public static final String CHANGES = "agent";

    public AgentRows(Tx tx) {
        this.tx = Objects.requireNonNull(tx, "tx");
    }

    public Optional<Agent> find(AgentId id) throws UnavailableException {
        return tx.one("SELECT " + COLUMNS + " FROM agents WHERE agent_id = ?" + tx.lockForUpdate(),
                ps -> set(ps, 1, id.value()), AgentRows::row);
    }

    /**
     * The agent's status alone: what a unit re-checks before it releases a credential, without
     * reading (and parsing) the agent's keys.
     */
    public Optional<AgentStatus> status(AgentId id) throws UnavailableException {
        return tx.one("SELECT status FROM agents WHERE agent_id = ?" + tx.lockForUpdate(), ps -> set(ps, 1, id.value()),
                rs -> AgentStatus.fromWire(rs.getString(1)));
    }

    /** @return {@code false} when an agent with that id exists already (nothing changes) */
    public boolean insert(Agent agent) throws UnavailableException {
        return tx.update("INSERT INTO agents (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (agent_id) DO NOTHING", ps -> {
                    set(ps, 1, agent.id().value());
                    set(ps, 2, agent.owner());
                    set(ps, 3, agent.purpose());
                    set(ps, 4, String.join(" ", agent.tiers().stream().map(Tier::name).toList()));
                    set(ps, 5, agent.jwks().toString(true));
                    set(ps, 6, agent.status().wireName());
                    set(ps, 7, agent.createdAt());
                    set(ps, 8, agent.updatedAt());
                }) == 1;
    }

    /** @return {@code false} when no such agent exists */
    public boolean updateStatus(AgentId id, AgentStatus status, Instant at) throws UnavailableException {
        boolean updated = tx.update("UPDATE agents SET status = ?, updated_at = ? WHERE agent_id = ?", ps -> {
            set(ps, 1, status.wireName());
            set(ps, 2, at);
            set(ps, 3, id.value());
        }) == 1;
        if (updated) {
            tx.announce(CHANGES, id.value());
        }
        return updated;
    }


    private static Agent row(ResultSet rs) throws SQLException {
        try {
            return new Agent(new AgentId(rs.getString(1)), rs.getString(2), rs.getString(3),
                    Arrays.stream(rs.getString(4).split(" ")).filter(s -> !s.isEmpty()).map(Tier::new).toList(),
                    parseJwks(rs.getString(5)), AgentStatus.fromWire(rs.getString(6)), instant(rs, 7),
                    instant(rs, 8));
        } catch (ParseException e) {
            throw new SQLException("stored JWKS of agent is unreadable", e);
        }
    }

    private static JWKSet parseJwks(String json) throws ParseException {
        JWKSet cached = PARSED_JWKS.getIfPresent(json);
        if (cached == null) {
            cached = JWKSet.parse(json);
            PARSED_JWKS.put(json, cached);
        }
        return cached;
    }
}
