-- The week's programme: one draft staff edit (pavilion_model::Programme as one JSON
-- document, versioned like the layout draft), and the programme each snapshot published
-- with its hall, so a rollback to a version restores that version's programme with it.
-- Snapshots published before this have no programme (NULL).

CREATE TABLE programme_draft (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    -- Programme as JSON, as validated when it was saved
    document   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision   INTEGER NOT NULL CHECK (revision > 0)
);

ALTER TABLE snapshots ADD COLUMN programme TEXT;
