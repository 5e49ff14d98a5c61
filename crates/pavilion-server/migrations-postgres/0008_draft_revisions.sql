-- PostgreSQL form of migrations/0008_draft_revisions.sql.

ALTER TABLE exhibitor_drafts ADD COLUMN revision BIGINT NOT NULL DEFAULT 1 CHECK (revision > 0);

ALTER TABLE layout_draft ADD COLUMN revision BIGINT NOT NULL DEFAULT 1 CHECK (revision > 0);
