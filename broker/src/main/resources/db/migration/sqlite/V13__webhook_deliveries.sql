-- Approval notices owed to webhooks: one row per approval, status it reached and webhook (a stable
-- hash of its url), kept until delivered and then as its record. Posting is at-least-once: a row
-- is claimed (next_attempt_at moved past the post's timeout) before its post and settled after.
-- Times are epoch milliseconds. last_error is a short reason of ours (never a secret or a body).
CREATE TABLE webhook_deliveries (
    delivery_id      TEXT PRIMARY KEY,
    approval_id      TEXT NOT NULL REFERENCES approvals (approval_id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
    webhook_id       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,                  -- NULL once delivered
    last_attempt_at  INTEGER,
    delivered_at     INTEGER,
    last_error       TEXT CHECK (last_error IS NULL OR length(last_error) <= 200),
    UNIQUE (approval_id, status, webhook_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, delivered_at);
-- Which approvals were decided lately, for the sweep that creates the notices of decisions.
CREATE INDEX approvals_decided_for_notify ON approvals (decided_at);
