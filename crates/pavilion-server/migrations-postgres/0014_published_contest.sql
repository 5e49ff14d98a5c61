-- PostgreSQL form of migrations/0014_published_contest.sql.

ALTER TABLE snapshots ADD COLUMN contest TEXT;
