-- The knowledge contest: question sets staff write (pavilion_model::QuestionSet as one JSON
-- document each), the visitors who play under a nickname (no account: a bearer secret
-- stored as its SHA-256 digest), their one attempt per set and every answer they gave.
-- The attempt row is the only state of play: `next_question` advances by compare-and-set,
-- so an answer replayed or raced is refused, and `asked_at_ms` is when the current question
-- was served, by the contest clock (NULL: not served yet; the next question is served when
-- the visitor asks for it, not while they read the last answer's explanation).

CREATE TABLE contest_sets (
    id         TEXT PRIMARY KEY NOT NULL,
    document   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE contest_visitors (
    id           INTEGER PRIMARY KEY NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    nickname     TEXT NOT NULL,
    -- the nickname folded to lower case: nicknames are unique regardless of case
    nickname_key TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);

CREATE TABLE contest_attempts (
    id            INTEGER PRIMARY KEY NOT NULL,
    set_id        TEXT NOT NULL REFERENCES contest_sets (id),
    visitor_id    INTEGER NOT NULL REFERENCES contest_visitors (id),
    questions     INTEGER NOT NULL CHECK (questions > 0),
    next_question INTEGER NOT NULL CHECK (next_question >= 0 AND next_question <= questions),
    asked_at_ms   INTEGER,
    score         INTEGER NOT NULL DEFAULT 0,
    correct       INTEGER NOT NULL DEFAULT 0,
    time_ms       INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    UNIQUE (set_id, visitor_id)
);

CREATE INDEX contest_attempts_board ON contest_attempts (set_id, score DESC, time_ms);

CREATE TABLE contest_answers (
    attempt_id INTEGER NOT NULL REFERENCES contest_attempts (id),
    question   INTEGER NOT NULL,
    -- NULL: no choice before the time ran out
    choice     INTEGER,
    correct    INTEGER NOT NULL,
    late       INTEGER NOT NULL,
    time_ms    INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, question)
);
