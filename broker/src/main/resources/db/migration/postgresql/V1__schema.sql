-- Stint schema for a shared PostgreSQL store: the same final schema as the embedded SQLite
-- migrations V1..V6, in one step. Times are epoch milliseconds.

CREATE TABLE agents (
    agent_id    TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    tiers       TEXT NOT NULL,
    jwks        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'retired')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A task id is unique per agent, not across agents.
CREATE TABLE tasks (
    task_id     TEXT NOT NULL,
    agent_id    TEXT NOT NULL REFERENCES agents (agent_id),
    tier        TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    opened_at   BIGINT NOT NULL,
    deadline    BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending_approval', 'active', 'ended', 'expired', 'denied')),
    ended_at    BIGINT,
    end_reason  TEXT,
    PRIMARY KEY (agent_id, task_id)
);
CREATE INDEX tasks_by_id ON tasks (task_id);
CREATE INDEX tasks_by_agent ON tasks (agent_id, status);
CREATE INDEX tasks_by_deadline ON tasks (status, deadline);

-- The deadline is fixed when a task is opened: no statement may move it.
CREATE FUNCTION tasks_deadline_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a task''s deadline, tier, scopes and agent are fixed when it is opened';
END;
$$;
CREATE TRIGGER tasks_deadline_is_fixed
    BEFORE UPDATE OF deadline, opened_at, tier, scopes, agent_id, task_id ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_deadline_is_fixed();

CREATE TABLE issued_tokens (
    jti           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('agent', 'task')),
    token_hash    TEXT UNIQUE,
    agent_id      TEXT NOT NULL,
    task_id       TEXT,
    tier          TEXT,
    scope         TEXT,
    audience      TEXT,
    issued_at     BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    revoked_at    BIGINT,
    revoke_reason TEXT
);
-- A task's tokens are revoked by agent and task together.
CREATE INDEX issued_tokens_by_task ON issued_tokens (task_id, agent_id);
-- Only agent tokens are looked up by agent.
CREATE INDEX issued_tokens_agent_tokens ON issued_tokens (agent_id) WHERE kind = 'agent';
CREATE INDEX issued_tokens_by_expiry ON issued_tokens (expires_at);
-- The revocation list reads only revoked tokens.
CREATE INDEX issued_tokens_revoked ON issued_tokens (expires_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE used_assertions (
    agent_id   TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (agent_id, jti)
);

-- A signing key is next (activated_at NULL), active or retired.
CREATE TABLE signing_keys (
    kid                TEXT PRIMARY KEY,
    public_jwk         TEXT NOT NULL,
    sealed_private_jwk TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    retired_at         BIGINT,
    verify_until       BIGINT,
    activated_at       BIGINT
);
-- At most one active key and at most one next key: two concurrent rotations cannot both commit.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((coalesce(retired_at, 0)))
    WHERE retired_at IS NULL AND activated_at IS NOT NULL;
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys ((coalesce(activated_at, 0)))
    WHERE retired_at IS NULL AND activated_at IS NULL;

CREATE TABLE admin_credentials (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    origin     TEXT NOT NULL DEFAULT 'bootstrap' CHECK (origin IN ('bootstrap', 'rotation'))
);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    decision  TEXT NOT NULL,
    agent_id  TEXT,
    task_id   TEXT,
    tier      TEXT,
    scopes    TEXT NOT NULL,
    reason    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_by_task ON audit_log (task_id, seq);
CREATE INDEX audit_by_agent ON audit_log (agent_id, seq);
CREATE INDEX audit_by_time ON audit_log (at);

-- Append-only: the chain can grow, never change.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- TRUNCATE skips row triggers: refuse it with a statement trigger.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The lock every append takes before it reads the chain's head. Brokers sharing this database
-- append concurrently; locking the head record itself is not enough: an empty log has no row to
-- lock, and under READ COMMITTED a unit that waited on the old head's lock gets that same old
-- row back once the lock is released, so it would take a sequence number already used. Holding
-- this one row FOR UPDATE until commit puts appends in one order, and the head read that follows
-- the lock sees every append committed before it.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO audit_head (id) VALUES (1);
CREATE FUNCTION audit_head_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit head lock row is fixed';
END;
$$;
CREATE TRIGGER audit_head_no_update BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_is_fixed();
