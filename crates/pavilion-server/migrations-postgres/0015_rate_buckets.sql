-- PostgreSQL form of migrations/0015_rate_buckets.sql: the leaky buckets every server on
-- this database counts in together.
CREATE TABLE rate_buckets (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    level      DOUBLE PRECISION NOT NULL CHECK (level >= 0),
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX rate_buckets_by_age ON rate_buckets (scope, updated_ms);
