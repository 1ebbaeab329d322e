-- How each browser session signed in (its created_at is when): a later step asks SSO sessions
-- older than the policy's reauth_within to sign in again. Sessions before this were passkey ones.
ALTER TABLE person_sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'passkey'
    CHECK (sign_in_method IN ('passkey', 'oidc'));
