-- Staff curation: staff accounts (Argon2id password hashes, roles), their sign-in sessions
-- (only the SHA-256 of each token is kept), and the audit log of every staff write.

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('curator', 'admin')),
    -- PHC string: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE staff_sessions (
    -- hex SHA-256 of the bearer token; the token itself is never stored
    token_sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(token_sha256) = 64),
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    -- seconds since the Unix epoch
    expires_at   INTEGER NOT NULL
);

CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    -- kept by name as well, so the log outlives a removed account
    staff_id   INTEGER,
    staff_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    -- JSON with the particulars of the change
    detail     TEXT NOT NULL DEFAULT '{}'
);
