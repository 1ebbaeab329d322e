-- At most one signing key is active: two concurrent rotations cannot both commit one.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (ifnull(retired_at, 0)) WHERE retired_at IS NULL;

-- The revocation list reads only revoked tokens: it costs what it returns, not the whole table.
CREATE INDEX issued_tokens_revoked ON issued_tokens (expires_at) WHERE revoked_at IS NOT NULL;
