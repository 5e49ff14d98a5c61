-- Leads: a visitor's name, e-mail and message for one booth, left with explicit consent.
-- Kept until the exhibitor deletes them or the retention period staff set runs out (the
-- `lead_retention_days` setting; a sweep deletes older rows). The consent statement the
-- visitor agreed to is kept with each lead.

CREATE TABLE leads (
    id                INTEGER PRIMARY KEY,
    exhibitor         TEXT NOT NULL REFERENCES exhibitors (slug) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    message           TEXT NOT NULL,
    consent_statement TEXT NOT NULL,
    -- seconds since the Unix epoch
    received_at       INTEGER NOT NULL
);

CREATE INDEX leads_by_exhibitor ON leads (exhibitor, id);
CREATE INDEX leads_by_age ON leads (received_at);

-- Settings staff change through the API, one value per key.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
