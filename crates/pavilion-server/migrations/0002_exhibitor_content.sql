-- The exhibitor content API: per-exhibitor API tokens (hashes only), profile drafts, uploaded
-- media, submissions waiting for review, and the approved media a publish shows visitors.

CREATE TABLE exhibitor_tokens (
    id           INTEGER PRIMARY KEY NOT NULL,
    exhibitor    TEXT NOT NULL REFERENCES exhibitors (slug),
    -- SHA-256 of the token, hex; the token itself is shown once and never stored
    token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    label        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX exhibitor_tokens_by_exhibitor ON exhibitor_tokens (exhibitor);

-- The exhibitor's working copy of its profile; always valid (the API refuses invalid ones).
CREATE TABLE exhibitor_drafts (
    exhibitor  TEXT PRIMARY KEY NOT NULL REFERENCES exhibitors (slug),
    -- ExhibitorProfile as JSON
    profile    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Media an exhibitor uploaded into its draft; the bytes live in the content-addressed store.
CREATE TABLE exhibitor_media (
    exhibitor  TEXT NOT NULL REFERENCES exhibitors (slug),
    sha256     TEXT NOT NULL REFERENCES media (sha256),
    kind       TEXT NOT NULL CHECK (kind IN ('image', 'video', 'brochure', 'model')),
    extension  TEXT NOT NULL,
    title      TEXT NOT NULL,
    byte_size  INTEGER NOT NULL CHECK (byte_size >= 0),
    width      INTEGER,
    height     INTEGER,
    created_at TEXT NOT NULL,
    PRIMARY KEY (exhibitor, sha256)
);

-- A draft sent for review: a frozen copy of the profile and media list at submission time.
CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY NOT NULL,
    exhibitor    TEXT NOT NULL REFERENCES exhibitors (slug),
    -- ExhibitorProfile as JSON
    profile      TEXT NOT NULL,
    -- [BoothMedia] as JSON
    media        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
    submitted_at TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   TEXT,
    reason       TEXT
);
CREATE UNIQUE INDEX one_pending_submission_per_exhibitor
    ON submissions (exhibitor) WHERE status = 'pending';
CREATE INDEX submissions_by_status ON submissions (status, submitted_at);

-- The approved media of each booth ([BoothMedia] as JSON), read by the publish step.
ALTER TABLE exhibitors ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
