-- Account management: staff accounts can be disabled (kept for the audit log, refused at
-- sign-in), and exhibitor tokens can carry an expiry and record when they were last used.

ALTER TABLE staff ADD COLUMN disabled_at TEXT;

-- seconds since the Unix epoch; NULL for a token that does not expire
ALTER TABLE exhibitor_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE exhibitor_tokens ADD COLUMN last_used_at TEXT;
