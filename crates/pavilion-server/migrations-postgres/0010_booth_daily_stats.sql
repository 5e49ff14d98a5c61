-- PostgreSQL form of migrations/0010_booth_daily_stats.sql.

CREATE TABLE booth_daily_stats (
    exhibitor          TEXT NOT NULL REFERENCES exhibitors (slug) ON DELETE CASCADE,
    day                TEXT NOT NULL,
    visits             BIGINT NOT NULL DEFAULT 0,
    dwell_seconds      BIGINT NOT NULL DEFAULT 0,
    media_plays        BIGINT NOT NULL DEFAULT 0,
    brochure_downloads BIGINT NOT NULL DEFAULT 0,
    model_views        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (exhibitor, day)
);

CREATE INDEX booth_daily_stats_by_day ON booth_daily_stats (day);
