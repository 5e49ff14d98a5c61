-- PostgreSQL form of migrations/0001_initial.sql: the same tables, columns and checks.
-- Integers are BIGINT (SQLite's INTEGER is 64-bit); JSON documents are TEXT, byte for byte
-- as the server wrote them.

-- Functions SQLite has that the store's statements use, so one statement serves both.
-- instr(haystack, needle): 1-based position of needle, 0 when absent.
CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT strpos(haystack, needle) $$;
-- json_array_length(document, '$.key'): length of the array at a top-level key.
CREATE FUNCTION json_array_length(document TEXT, path TEXT) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT json_array_length((document::json) -> substr(path, 3)) $$;

CREATE TABLE media (
    sha256       TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL,
    byte_size    BIGINT NOT NULL CHECK (byte_size >= 0),
    created_at   TEXT NOT NULL
);

CREATE TABLE exhibitors (
    slug              TEXT PRIMARY KEY NOT NULL,
    profile           TEXT NOT NULL,
    logo_sha256       TEXT NOT NULL REFERENCES media (sha256),
    fascia_sha256     TEXT NOT NULL REFERENCES media (sha256),
    name_plate_sha256 TEXT NOT NULL REFERENCES media (sha256),
    source_hash       TEXT NOT NULL,
    imported_at       TEXT NOT NULL
);

CREATE TABLE layout_draft (
    id         BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    halls      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE snapshots (
    version      BIGINT PRIMARY KEY NOT NULL CHECK (version > 0),
    published_at TEXT NOT NULL,
    document     TEXT NOT NULL,
    details      TEXT NOT NULL
);

CREATE TABLE published (
    id      BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    version BIGINT NOT NULL REFERENCES snapshots (version)
);
