-- CI federation (RFC 8693 token exchange). A CI job's OIDC token is spent once: its id (the jti,
-- or a hash of the token) is kept until the token expires.
CREATE TABLE used_subject_tokens (
    issuer      TEXT NOT NULL,
    token_id    TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (issuer, token_id)
);
CREATE INDEX used_subject_tokens_by_expiry ON used_subject_tokens (expires_at);

-- The CI run behind an agent token that came through federation (compact JSON; NULL otherwise).
ALTER TABLE issued_tokens ADD COLUMN origin TEXT;

-- The CI run that opened a task, which every audit record about the task carries.
CREATE TABLE task_origins (
    agent_id  TEXT NOT NULL,
    task_id   TEXT NOT NULL,
    origin    TEXT NOT NULL,
    PRIMARY KEY (agent_id, task_id)
);
ALTER TABLE audit_log ADD COLUMN origin TEXT;
