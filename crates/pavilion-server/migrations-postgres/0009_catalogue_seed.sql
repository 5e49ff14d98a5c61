-- PostgreSQL form of migrations/0009_catalogue_seed.sql (the same back-fill of existing rows).

ALTER TABLE exhibitors ADD COLUMN seed_profile TEXT;
ALTER TABLE exhibitors ADD COLUMN seed_logo TEXT;
ALTER TABLE exhibitors ADD COLUMN seed_media TEXT;
ALTER TABLE exhibitors ADD COLUMN content_origin TEXT NOT NULL DEFAULT 'catalogue'
    CHECK (content_origin IN ('catalogue', 'approval'));
ALTER TABLE exhibitors ADD COLUMN content_changed_by TEXT;
ALTER TABLE exhibitors ADD COLUMN content_changed_at TEXT;

UPDATE exhibitors SET
    content_origin = 'approval',
    content_changed_by = (SELECT decided_by FROM submissions s
        WHERE s.exhibitor = exhibitors.slug AND s.status = 'approved'
        ORDER BY s.decided_at DESC, s.id DESC LIMIT 1),
    content_changed_at = (SELECT decided_at FROM submissions s
        WHERE s.exhibitor = exhibitors.slug AND s.status = 'approved'
        ORDER BY s.decided_at DESC, s.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM submissions s
    WHERE s.exhibitor = exhibitors.slug AND s.status = 'approved');
UPDATE exhibitors SET seed_profile = profile WHERE content_origin = 'catalogue';
