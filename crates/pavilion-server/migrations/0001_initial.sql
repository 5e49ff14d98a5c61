-- Pavilion's first schema: exhibitors and their rendered media, the staff's layout draft,
-- the immutable published snapshots and the pointer to the live one.

CREATE TABLE media (
    sha256       TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL,
    byte_size    INTEGER NOT NULL CHECK (byte_size >= 0),
    created_at   TEXT NOT NULL
);

CREATE TABLE exhibitors (
    slug              TEXT PRIMARY KEY NOT NULL,
    -- ExhibitorProfile as JSON
    profile           TEXT NOT NULL,
    logo_sha256       TEXT NOT NULL REFERENCES media (sha256),
    fascia_sha256     TEXT NOT NULL REFERENCES media (sha256),
    name_plate_sha256 TEXT NOT NULL REFERENCES media (sha256),
    -- sha256 of the imported profile and logo files plus the render version
    source_hash       TEXT NOT NULL,
    imported_at       TEXT NOT NULL
);

CREATE TABLE layout_draft (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    -- Vec<Hall> as JSON
    halls      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE snapshots (
    version      INTEGER PRIMARY KEY NOT NULL CHECK (version > 0),
    published_at TEXT NOT NULL,
    -- HallSnapshot as JSON, byte for byte what GET /api/v1/hall serves
    document     TEXT NOT NULL,
    -- map slug -> ExhibitorDetail as JSON
    details      TEXT NOT NULL
);

CREATE TABLE published (
    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    version INTEGER NOT NULL REFERENCES snapshots (version)
);
