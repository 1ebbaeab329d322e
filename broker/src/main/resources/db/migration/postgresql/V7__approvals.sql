-- Approvals of guarded tasks. A request keeps exactly what was asked and the digest that binds
-- it; each person's verdict is one row, with the evidence (the passkey assertion) they gave.
CREATE TABLE approvals (
    approval_id     TEXT PRIMARY KEY,
    agent_id        TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    owner           TEXT NOT NULL,
    tier            TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    deadline        BIGINT NOT NULL,
    digest          TEXT NOT NULL,
    quorum          INTEGER NOT NULL CHECK (quorum BETWEEN 1 AND 10),
    guarded         TEXT NOT NULL,
    break_glass     INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
    requested_at    BIGINT NOT NULL,
    window_ends_at  BIGINT NOT NULL,
    decided_at      BIGINT,
    UNIQUE (agent_id, task_id)
);
CREATE INDEX approvals_by_status ON approvals (status, requested_at);

CREATE TABLE approval_votes (
    approval_id  TEXT NOT NULL REFERENCES approvals (approval_id),
    person_id    TEXT NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('approve', 'deny')),
    comment      TEXT,
    evidence     TEXT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (approval_id, person_id)
);

-- A passkey ceremony under way to approve one request: the nonce the challenge is derived from
-- (with the request's digest), for one person, spent by the first answer.
CREATE TABLE approval_challenges (
    nonce        TEXT PRIMARY KEY,
    approval_id  TEXT NOT NULL REFERENCES approvals (approval_id),
    person_id    TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);

-- Who approved an approved task (person ids, comma separated): its tokens and leases name them;
-- and whether they broke the glass of a freeze in force, which then does not end it.
ALTER TABLE tasks ADD COLUMN approved_by TEXT;
ALTER TABLE tasks ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1));
