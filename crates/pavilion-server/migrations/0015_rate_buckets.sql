-- Leaky buckets of the per-caller limits (failed sign-ins, bad tokens, analytics batches,
-- leads) kept in the database, so that servers sharing a PostgreSQL store count together.
-- A server on SQLite keeps them in memory only and leaves this table empty.
CREATE TABLE rate_buckets (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    -- the count now, decaying evenly over the limit's window
    level      REAL NOT NULL CHECK (level >= 0),
    -- when `level` was computed, in milliseconds since the Unix epoch
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX rate_buckets_by_age ON rate_buckets (scope, updated_ms);
