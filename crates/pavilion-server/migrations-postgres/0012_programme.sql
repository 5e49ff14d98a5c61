-- PostgreSQL form of migrations/0012_programme.sql.

CREATE TABLE programme_draft (
    id         BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    document   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision   BIGINT NOT NULL CHECK (revision > 0)
);

ALTER TABLE snapshots ADD COLUMN programme TEXT;
