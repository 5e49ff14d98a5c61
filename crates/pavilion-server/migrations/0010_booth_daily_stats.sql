-- First-party visitor analytics: counts per booth and UTC day, and nothing per visitor (no
-- address, user agent, cookie or identifier of any kind is stored). The server's clock picks
-- the day, so the table holds at most one row per booth and day.

CREATE TABLE booth_daily_stats (
    exhibitor          TEXT NOT NULL REFERENCES exhibitors (slug) ON DELETE CASCADE,
    -- YYYY-MM-DD in UTC
    day                TEXT NOT NULL,
    visits             INTEGER NOT NULL DEFAULT 0,
    dwell_seconds      INTEGER NOT NULL DEFAULT 0,
    media_plays        INTEGER NOT NULL DEFAULT 0,
    brochure_downloads INTEGER NOT NULL DEFAULT 0,
    model_views        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (exhibitor, day)
) WITHOUT ROWID;

CREATE INDEX booth_daily_stats_by_day ON booth_daily_stats (day);
