package dev.stint.broker.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWKSet;
import dev.stint.broker.UnavailableException;
import dev.stint.broker.agents.Agent;
import dev.stint.broker.agents.AgentStatus;
import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditQuery;
import dev.stint.broker.audit.AuditRecord;
import dev.stint.broker.audit.HashChain;
import dev.stint.broker.keys.StoredKey;
import dev.stint.broker.oauth.IssuedToken;
import dev.stint.broker.oauth.TokenKind;
import dev.stint.broker.tasks.Task;
import dev.stint.broker.tasks.TaskStatus;
import dev.stint.token.AgentId;
import dev.stint.token.Scope;
import dev.stint.token.TaskDeadline;
import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store operations in portable SQL (SQLite and PostgreSQL). Every value is bound as a
 * parameter, never concatenated. Times are epoch milliseconds.
 */
final class SqlStoreTx implements StoreTx {

    private static final Logger LOG = LoggerFactory.getLogger(SqlStoreTx.class);

    /**
     * Parsed agent key sets by their stored JSON. Agents are read on every authenticated request
     * and parsing a JWK Set costs more than the query; the JSON is the key, so a changed set is
     * simply a new entry.
     */
    private static final Cache<String, JWKSet> PARSED_JWKS = Caffeine.newBuilder().maximumSize(10_000).build();

    private final Connection connection;
    private final Map<String, PreparedStatement> statements;
    private AuditHead head;

    /** @param head the chain end for a writer; {@code null} for a read-only transaction */
    SqlStoreTx(Connection connection, AuditHead head) {
        this(connection, head, null);
    }

    /**
     * @param statements prepared statements kept open across transactions on a long-lived
     *     connection (the single writer's), or {@code null} to prepare and close each time
     */
    SqlStoreTx(Connection connection, AuditHead head, Map<String, PreparedStatement> statements) {
        this.connection = connection;
        this.head = head;
        this.statements = statements;
    }

    AuditHead head() {
        return head;
    }

    // agents

    @Override
    public Optional<Agent> agent(AgentId id) throws UnavailableException {
        return one("SELECT agent_id, owner, purpose, tiers, jwks, status, created_at, updated_at"
                + " FROM agents WHERE agent_id = ?", ps -> set(ps, 1, id.value()), SqlStoreTx::agentRow);
    }

    @Override
    public boolean insertAgent(Agent agent) throws UnavailableException {
        return update("INSERT INTO agents (agent_id, owner, purpose, tiers, jwks, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id) DO NOTHING", ps -> {
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

    @Override
    public boolean updateAgentStatus(AgentId id, AgentStatus status, Instant at) throws UnavailableException {
        return update("UPDATE agents SET status = ?, updated_at = ? WHERE agent_id = ?", ps -> {
            set(ps, 1, status.wireName());
            set(ps, 2, at);
            set(ps, 3, id.value());
        }) == 1;
    }

    // tasks

    private static final String TASK_COLUMNS = "task_id, agent_id, tier, purpose, scopes, opened_at, deadline,"
            + " status, ended_at, end_reason";

    @Override
    public Optional<Task> task(TaskId id) throws UnavailableException {
        return one("SELECT " + TASK_COLUMNS + " FROM tasks WHERE task_id = ?",
                ps -> set(ps, 1, id.value()), SqlStoreTx::taskRow);
    }

    @Override
    public boolean insertTask(Task task) throws UnavailableException {
        return update("INSERT INTO tasks (" + TASK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (task_id) DO NOTHING", ps -> {
                    set(ps, 1, task.id().value());
                    set(ps, 2, task.agentId().value());
                    set(ps, 3, task.tier().name());
                    set(ps, 4, task.purpose());
                    set(ps, 5, Scope.join(task.scopes()));
                    set(ps, 6, task.openedAt());
                    set(ps, 7, task.deadline().at());
                    set(ps, 8, task.status().wireName());
                    set(ps, 9, task.endedAt());
                    set(ps, 10, task.endReason());
                }) == 1;
    }

    @Override
    public boolean finishTask(TaskId id, TaskStatus status, Instant at, String reason) throws UnavailableException {
        if (!status.isFinal()) {
            throw new IllegalArgumentException("finishTask needs a final status");
        }
        return update("UPDATE tasks SET status = ?, ended_at = ?, end_reason = ?"
                + " WHERE task_id = ? AND status IN ('active', 'pending_approval')", ps -> {
                    set(ps, 1, status.wireName());
                    set(ps, 2, at);
                    set(ps, 3, reason);
                    set(ps, 4, id.value());
                }) == 1;
    }

    @Override
    public List<Task> activeTasksDueBy(Instant now, int limit) throws UnavailableException {
        return many("SELECT " + TASK_COLUMNS + " FROM tasks WHERE status = 'active' AND deadline <= ?"
                + " ORDER BY deadline LIMIT ?", ps -> {
                    set(ps, 1, now);
                    ps.setInt(2, limit);
                }, SqlStoreTx::taskRow);
    }

    @Override
    public List<Task> openTasksOf(AgentId agentId) throws UnavailableException {
        return many("SELECT " + TASK_COLUMNS + " FROM tasks WHERE agent_id = ?"
                + " AND status IN ('active', 'pending_approval') ORDER BY opened_at",
                ps -> set(ps, 1, agentId.value()), SqlStoreTx::taskRow);
    }

    // issued tokens

    private static final String TOKEN_COLUMNS = "jti, kind, token_hash, agent_id, task_id, tier, scope, audience,"
            + " issued_at, expires_at, revoked_at, revoke_reason";

    @Override
    public void insertToken(IssuedToken token) throws UnavailableException {
        update("INSERT INTO issued_tokens (" + TOKEN_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            set(ps, 1, token.jti());
            set(ps, 2, token.kind().wireName());
            set(ps, 3, token.tokenHash());
            set(ps, 4, token.agentId().value());
            set(ps, 5, token.taskId() == null ? null : token.taskId().value());
            set(ps, 6, token.tier() == null ? null : token.tier().name());
            set(ps, 7, token.scope());
            set(ps, 8, token.audience());
            set(ps, 9, token.issuedAt());
            set(ps, 10, token.expiresAt());
            set(ps, 11, token.revokedAt());
            set(ps, 12, token.revokeReason());
        });
    }

    @Override
    public Optional<IssuedToken> tokenByJti(String jti) throws UnavailableException {
        return one("SELECT " + TOKEN_COLUMNS + " FROM issued_tokens WHERE jti = ?",
                ps -> set(ps, 1, jti), SqlStoreTx::tokenRow);
    }

    @Override
    public Optional<IssuedToken> tokenByHash(String tokenHash) throws UnavailableException {
        return one("SELECT " + TOKEN_COLUMNS + " FROM issued_tokens WHERE token_hash = ?",
                ps -> set(ps, 1, tokenHash), SqlStoreTx::tokenRow);
    }

    @Override
    public boolean revokeToken(String jti, Instant at, String reason) throws UnavailableException {
        return update("UPDATE issued_tokens SET revoked_at = ?, revoke_reason = ?"
                + " WHERE jti = ? AND revoked_at IS NULL AND expires_at > ?", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, reason);
                    set(ps, 3, jti);
                    set(ps, 4, at);
                }) == 1;
    }

    @Override
    public int revokeTokensOfTask(TaskId taskId, Instant at, String reason) throws UnavailableException {
        return update("UPDATE issued_tokens SET revoked_at = ?, revoke_reason = ?"
                + " WHERE task_id = ? AND revoked_at IS NULL", ps -> {
                    set(ps, 1, at);
                    set(ps, 2, reason);
                    set(ps, 3, taskId.value());
                });
    }

    @Override
    public int revokeTokensOfAgent(AgentId agentId, Instant at, String reason) throws UnavailableException {
        return update("UPDATE issued_tokens SET revoked_at = ?, revoke_reason = ? WHERE revoked_at IS NULL"
                + " AND ((kind = 'agent' AND agent_id = ?) OR task_id IN (SELECT task_id FROM tasks WHERE agent_id = ?))",
                ps -> {
                    set(ps, 1, at);
                    set(ps, 2, reason);
                    set(ps, 3, agentId.value());
                    set(ps, 4, agentId.value());
                });
    }

    @Override
    public List<IssuedToken> revokedUnexpired(Instant now, int limit) throws UnavailableException {
        return many("SELECT " + TOKEN_COLUMNS + " FROM issued_tokens WHERE revoked_at IS NOT NULL AND expires_at > ?"
                + " ORDER BY expires_at LIMIT ?", ps -> {
                    set(ps, 1, now);
                    ps.setInt(2, limit);
                }, SqlStoreTx::tokenRow);
    }

    // client assertions

    @Override
    public boolean recordAssertion(AgentId agentId, String jti, Instant expiresAt) throws UnavailableException {
        return update("INSERT INTO used_assertions (agent_id, jti, expires_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (agent_id, jti) DO NOTHING", ps -> {
                    set(ps, 1, agentId.value());
                    set(ps, 2, jti);
                    set(ps, 3, expiresAt);
                }) == 1;
    }

    @Override
    public int purgeExpired(Instant now) throws UnavailableException {
        // A token record outlives its expiry by a day so that introspection and audit queries
        // about recent tokens still find it.
        Instant tokenHorizon = now.minusSeconds(86_400);
        return update("DELETE FROM used_assertions WHERE expires_at < ?", ps -> set(ps, 1, now))
                + update("DELETE FROM issued_tokens WHERE expires_at < ?", ps -> set(ps, 1, tokenHorizon));
    }

    // signing keys

    @Override
    public List<StoredKey> keys() throws UnavailableException {
        return many("SELECT kid, public_jwk, sealed_private_jwk, created_at, retired_at, verify_until"
                + " FROM signing_keys ORDER BY created_at", ps -> { }, rs -> new StoredKey(
                        rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), instant(rs, 5),
                        instant(rs, 6)));
    }

    @Override
    public void insertKey(StoredKey key) throws UnavailableException {
        update("INSERT INTO signing_keys (kid, public_jwk, sealed_private_jwk, created_at, retired_at, verify_until)"
                + " VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                    set(ps, 1, key.kid());
                    set(ps, 2, key.publicJwk());
                    set(ps, 3, key.sealedPrivateJwk());
                    set(ps, 4, key.createdAt());
                    set(ps, 5, key.retiredAt());
                    set(ps, 6, key.verifyUntil());
                });
    }

    @Override
    public boolean retireKey(String kid, Instant retiredAt, Instant verifyUntil) throws UnavailableException {
        return update("UPDATE signing_keys SET retired_at = ?, verify_until = ? WHERE kid = ? AND retired_at IS NULL",
                ps -> {
                    set(ps, 1, retiredAt);
                    set(ps, 2, verifyUntil);
                    set(ps, 3, kid);
                }) == 1;
    }

    // admin credential

    @Override
    public Optional<String> adminTokenHash() throws UnavailableException {
        return one("SELECT token_hash FROM admin_credentials ORDER BY created_at DESC LIMIT 1", ps -> { },
                rs -> rs.getString(1));
    }

    @Override
    public void insertAdminTokenHash(String hash, Instant at) throws UnavailableException {
        update("INSERT INTO admin_credentials (token_hash, created_at) VALUES (?, ?)", ps -> {
            set(ps, 1, hash);
            set(ps, 2, at);
        });
    }

    // audit

    private static final String AUDIT_COLUMNS = "seq, at, actor, action, decision, agent_id, task_id, tier, scopes,"
            + " reason, prev_hash, hash";

    @Override
    public AuditRecord appendAudit(AuditEvent event, Instant at) throws UnavailableException {
        if (head == null) {
            throw new IllegalStateException("audit records are written in write transactions only");
        }
        long seq = head.seq() + 1;
        String hash = HashChain.hash(seq, at, event, head.hash());
        AuditRecord record = new AuditRecord(seq, at, event, head.hash(), hash);
        update("INSERT INTO audit_log (" + AUDIT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            ps.setLong(1, seq);
            set(ps, 2, at);
            set(ps, 3, event.actor());
            set(ps, 4, event.action());
            set(ps, 5, event.decision().wireName());
            set(ps, 6, event.agentId());
            set(ps, 7, event.taskId());
            set(ps, 8, event.tier());
            set(ps, 9, event.scopes());
            set(ps, 10, event.reason());
            set(ps, 11, record.prevHash());
            set(ps, 12, hash);
        });
        head = new AuditHead(seq, hash);
        return record;
    }

    @Override
    public List<AuditRecord> audit(AuditQuery query) throws UnavailableException {
        StringBuilder sql = new StringBuilder("SELECT " + AUDIT_COLUMNS + " FROM audit_log WHERE seq > ?");
        List<Object> args = new ArrayList<>();
        args.add(query.afterSeq());
        if (query.taskId() != null) {
            sql.append(" AND task_id = ?");
            args.add(query.taskId());
        }
        if (query.agentId() != null) {
            sql.append(" AND agent_id = ?");
            args.add(query.agentId());
        }
        if (query.since() != null) {
            sql.append(" AND at >= ?");
            args.add(query.since().toEpochMilli());
        }
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(query.limit());
        return many(sql.toString(), ps -> {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
        }, SqlStoreTx::auditRow);
    }

    @Override
    public Optional<AuditRecord> lastAudit() throws UnavailableException {
        return one("SELECT " + AUDIT_COLUMNS + " FROM audit_log ORDER BY seq DESC LIMIT 1", ps -> { },
                SqlStoreTx::auditRow);
    }

    // rows

    private static Agent agentRow(ResultSet rs) throws SQLException {
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

    private static Task taskRow(ResultSet rs) throws SQLException {
        return new Task(new TaskId(rs.getString(1)), new AgentId(rs.getString(2)), new Tier(rs.getString(3)),
                rs.getString(4), Scope.parseList(rs.getString(5)), instant(rs, 6), new TaskDeadline(instant(rs, 7)),
                TaskStatus.fromWire(rs.getString(8)), instant(rs, 9), rs.getString(10));
    }

    private static IssuedToken tokenRow(ResultSet rs) throws SQLException {
        String taskId = rs.getString(5);
        String tier = rs.getString(6);
        return new IssuedToken(rs.getString(1), TokenKind.fromWire(rs.getString(2)), rs.getString(3),
                new AgentId(rs.getString(4)), taskId == null ? null : new TaskId(taskId),
                tier == null ? null : new Tier(tier), rs.getString(7), rs.getString(8), instant(rs, 9),
                instant(rs, 10), instant(rs, 11), rs.getString(12));
    }

    private static AuditRecord auditRow(ResultSet rs) throws SQLException {
        AuditEvent event = new AuditEvent(rs.getString(3), rs.getString(4),
                AuditEvent.Decision.valueOf(rs.getString(5).toUpperCase(java.util.Locale.ROOT)), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10));
        return new AuditRecord(rs.getLong(1), instant(rs, 2), event, rs.getString(11), rs.getString(12));
    }

    // JDBC plumbing

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private int update(String sql, Binder binder) throws UnavailableException {
        try {
            PreparedStatement ps = prepare(sql);
            try {
                binder.bind(ps);
                return ps.executeUpdate();
            } finally {
                release(ps);
            }
        } catch (SQLException e) {
            forget(sql);
            // The SQL error names tables and constraints: it goes to the log, not to the caller.
            LOG.warn("store write failed: {}", e.getMessage());
            throw new UnavailableException("the store could not record this", e);
        }
    }

    private <T> Optional<T> one(String sql, Binder binder, Row<T> row) throws UnavailableException {
        List<T> rows = many(sql, binder, row);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private <T> List<T> many(String sql, Binder binder, Row<T> row) throws UnavailableException {
        try {
            PreparedStatement ps = prepare(sql);
            try {
                binder.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                    return out;
                }
            } finally {
                release(ps);
            }
        } catch (SQLException | IllegalArgumentException e) {
            forget(sql);
            LOG.warn("store read failed: {}", e.getMessage());
            throw new UnavailableException("the store could not be read", e);
        }
    }

    /** A statement that failed is not reused: it is closed and prepared afresh next time. */
    private void forget(String sql) {
        PreparedStatement ps = statements == null ? null : statements.remove(sql);
        if (ps != null) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // Closing a failed statement can fail too; it is dropped either way.
            }
        }
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        if (statements == null) {
            return connection.prepareStatement(sql);
        }
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private void release(PreparedStatement ps) throws SQLException {
        if (statements == null) {
            ps.close();
        } else {
            ps.clearParameters();
        }
    }

    private static void set(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    private static void set(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        long millis = rs.getLong(index);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

}
