-- A task id is unique per agent, not across agents: an agent that chooses its own task_id can
-- neither learn that another agent uses that id nor take it from them first.
CREATE TABLE tasks_v5 (
    task_id     TEXT NOT NULL,
    agent_id    TEXT NOT NULL REFERENCES agents (agent_id),
    tier        TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    opened_at   INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending_approval', 'active', 'ended', 'expired', 'denied')),
    ended_at    INTEGER,
    end_reason  TEXT,
    PRIMARY KEY (agent_id, task_id)
);
INSERT INTO tasks_v5 (task_id, agent_id, tier, purpose, scopes, opened_at, deadline, status, ended_at, end_reason)
    SELECT task_id, agent_id, tier, purpose, scopes, opened_at, deadline, status, ended_at, end_reason FROM tasks;
DROP TRIGGER tasks_deadline_is_fixed;
DROP TABLE tasks;
ALTER TABLE tasks_v5 RENAME TO tasks;

CREATE INDEX tasks_by_id ON tasks (task_id);
CREATE INDEX tasks_by_agent ON tasks (agent_id, status);
CREATE INDEX tasks_by_deadline ON tasks (status, deadline);

-- The deadline is fixed when a task is opened: no statement may move it.
CREATE TRIGGER tasks_deadline_is_fixed BEFORE UPDATE OF deadline, opened_at, tier, scopes, agent_id, task_id ON tasks
BEGIN
    SELECT RAISE(ABORT, 'a task''s deadline, tier, scopes and agent are fixed when it is opened');
END;

-- A task's tokens are revoked by agent and task together.
DROP INDEX issued_tokens_by_task;
CREATE INDEX issued_tokens_by_task ON issued_tokens (task_id, agent_id);
