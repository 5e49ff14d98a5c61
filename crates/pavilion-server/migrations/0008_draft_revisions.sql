-- Draft versions: every saved edit of a draft raises its revision by one. The API gives the
-- revision as the draft's ETag and refuses a write whose If-Match names an older one (412);
-- every save is a compare-and-set on the revision, so two edits of one version never both
-- land. A draft that has no row yet is at revision 0; rows saved before this are at 1.

ALTER TABLE exhibitor_drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1 CHECK (revision > 0);

ALTER TABLE layout_draft ADD COLUMN revision INTEGER NOT NULL DEFAULT 1 CHECK (revision > 0);
