-- A signing key is *next* (published in the JWKS, not yet signing), *active* (signing) or
-- *retired* (still verifiable until verify_until). activated_at is when it began to sign: NULL
-- for the next key. Verifiers cache the JWKS, so a key is published as next before it signs.
ALTER TABLE signing_keys ADD COLUMN activated_at INTEGER;

-- Before V4 every key signed from the moment it was created. A broker upgraded from V3 has no
-- next key: it generates one at start.
UPDATE signing_keys SET activated_at = created_at;

-- At most one active key and at most one next key: two concurrent rotations cannot both commit.
DROP INDEX signing_keys_one_active;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (ifnull(retired_at, 0))
    WHERE retired_at IS NULL AND activated_at IS NOT NULL;
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (ifnull(activated_at, 0))
    WHERE retired_at IS NULL AND activated_at IS NULL;
