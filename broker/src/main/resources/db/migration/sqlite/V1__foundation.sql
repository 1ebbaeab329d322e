-- Stint foundation schema (embedded SQLite). Times are epoch milliseconds.

CREATE TABLE agents (
    agent_id    TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    tiers       TEXT NOT NULL,
    jwks        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'retired')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE tasks (
    task_id     TEXT PRIMARY KEY,
    agent_id    TEXT NOT NULL REFERENCES agents (agent_id),
    tier        TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    opened_at   INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending_approval', 'active', 'ended', 'expired', 'denied')),
    ended_at    INTEGER,
    end_reason  TEXT
);
CREATE INDEX tasks_by_agent ON tasks (agent_id, status);
CREATE INDEX tasks_by_deadline ON tasks (status, deadline);

-- The deadline is fixed when a task is opened: no statement may move it.
CREATE TRIGGER tasks_deadline_is_fixed BEFORE UPDATE OF deadline, opened_at, tier, scopes, agent_id ON tasks
BEGIN
    SELECT RAISE(ABORT, 'a task''s deadline, tier, scopes and agent are fixed when it is opened');
END;

CREATE TABLE issued_tokens (
    jti           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('agent', 'task')),
    token_hash    TEXT UNIQUE,
    agent_id      TEXT NOT NULL,
    task_id       TEXT,
    tier          TEXT,
    scope         TEXT,
    audience      TEXT,
    issued_at     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    revoke_reason TEXT
);
CREATE INDEX issued_tokens_by_task ON issued_tokens (task_id);
CREATE INDEX issued_tokens_by_agent ON issued_tokens (agent_id);
CREATE INDEX issued_tokens_by_expiry ON issued_tokens (expires_at);

CREATE TABLE used_assertions (
    agent_id   TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, jti)
);

CREATE TABLE signing_keys (
    kid                TEXT PRIMARY KEY,
    public_jwk         TEXT NOT NULL,
    sealed_private_jwk TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    retired_at         INTEGER,
    verify_until       INTEGER
);

CREATE TABLE admin_credentials (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
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
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
