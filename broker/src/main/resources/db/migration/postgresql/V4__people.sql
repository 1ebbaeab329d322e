-- People (approvers, admins, auditors) and their passkeys. Times are epoch milliseconds. No
-- secret is stored in clear: enrollment links and browser sessions are kept as SHA-256 hashes.

CREATE TABLE people (
    person_id   TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,          -- lower case: an agent's owner is matched to it
    name        TEXT,
    roles       TEXT NOT NULL,                 -- space separated: approver, admin, auditor
    status      TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One-time links where a person registers a passkey.
CREATE TABLE enrollments (
    token_hash  TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (person_id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX enrollments_by_person ON enrollments (person_id);

CREATE TABLE passkeys (
    credential_id  TEXT PRIMARY KEY,           -- base64url
    person_id      TEXT NOT NULL REFERENCES people (person_id),
    public_key     TEXT NOT NULL,              -- base64url of the COSE key
    aaguid         TEXT NOT NULL,
    sign_count     BIGINT NOT NULL,
    user_handle    TEXT NOT NULL,              -- base64url
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT
);
CREATE INDEX passkeys_by_person ON passkeys (person_id);

-- WebAuthn ceremonies under way: a server-chosen challenge, spent once, short-lived.
CREATE TABLE passkey_ceremonies (
    ceremony_id      TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('enroll', 'sign_in')),
    challenge        TEXT NOT NULL,            -- base64url
    enrollment_hash  TEXT,
    person_id        TEXT,
    user_handle      TEXT,
    expires_at       BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);

-- Signed-in browsers: the cookie's secret is stored only as its hash.
CREATE TABLE person_sessions (
    session_hash  TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (person_id),
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX person_sessions_by_person ON person_sessions (person_id);
