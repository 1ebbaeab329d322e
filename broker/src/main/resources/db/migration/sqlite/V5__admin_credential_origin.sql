-- Where the admin credential in force came from: 'bootstrap' (its secret was written to
-- DATA-DIR/admin.token) or 'rotation' (its secret was given once to the caller of
-- POST /v1/admin/rotate and stored nowhere).
ALTER TABLE admin_credentials ADD COLUMN origin TEXT NOT NULL DEFAULT 'bootstrap'
    CHECK (origin IN ('bootstrap', 'rotation'));
