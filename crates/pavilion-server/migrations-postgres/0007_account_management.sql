-- PostgreSQL form of migrations/0007_account_management.sql.

ALTER TABLE staff ADD COLUMN disabled_at TEXT;

ALTER TABLE exhibitor_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE exhibitor_tokens ADD COLUMN last_used_at TEXT;
