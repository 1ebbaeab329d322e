-- Database credentials issued for tasks. A lease is recorded (pending) before the backend is asked,
-- so that a crash between the two leaves a row that a sweep finds and cleans up. No password is
-- ever stored: the backend gives it once, and the broker hands it on once.
CREATE TABLE leases (
    lease_id          TEXT PRIMARY KEY,
    agent_id          TEXT NOT NULL,
    task_id           TEXT NOT NULL,
    tier              TEXT NOT NULL,
    role              TEXT NOT NULL,
    connection        TEXT NOT NULL,
    provider          TEXT NOT NULL CHECK (provider IN ('postgres', 'vault')),
    username          TEXT,
    backend_lease_id  TEXT,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'active', 'revoking', 'failed', 'revoked')),
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    next_attempt_at   BIGINT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    revoked_at        BIGINT,
    FOREIGN KEY (agent_id, task_id) REFERENCES tasks (agent_id, task_id)
);
CREATE INDEX leases_by_task ON leases (agent_id, task_id);
CREATE INDEX leases_due ON leases (state, next_attempt_at);
