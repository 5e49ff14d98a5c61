-- The knowledge contest's question sets published with each version, as one JSON array of
-- pavilion_model::QuestionSet (NULL for versions published before sets were published, for
-- which visitors play the saved sets as before). A rollback, which only moves the
-- `published` pointer, restores them with the hall and the programme.

ALTER TABLE snapshots ADD COLUMN contest TEXT;
