-- The catalogue is a seed: per exhibitor, what the catalogue last supplied, and where the live
-- (approved) profile and media came from since, so a re-import updates only content nobody
-- changed and reports the rest as conflicts.

-- The profile (validated, as JSON) the catalogue last supplied; NULL until an import records it.
ALTER TABLE exhibitors ADD COLUMN seed_profile TEXT;
-- sha256 of the logo.svg and of the media folder (manifest and files) last supplied.
ALTER TABLE exhibitors ADD COLUMN seed_logo TEXT;
ALTER TABLE exhibitors ADD COLUMN seed_media TEXT;
-- Where the live profile and media came from: the catalogue, or an approval since.
ALTER TABLE exhibitors ADD COLUMN content_origin TEXT NOT NULL DEFAULT 'catalogue'
    CHECK (content_origin IN ('catalogue', 'approval'));
-- Who made the live content and when, for an origin other than the catalogue.
ALTER TABLE exhibitors ADD COLUMN content_changed_by TEXT;
ALTER TABLE exhibitors ADD COLUMN content_changed_at TEXT;

-- Approvals made before this migration: their content is the approval's, not the catalogue's.
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
-- Untouched exhibitors still show what the catalogue supplied.
UPDATE exhibitors SET seed_profile = profile WHERE content_origin = 'catalogue';
