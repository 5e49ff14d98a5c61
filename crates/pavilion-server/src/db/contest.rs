//! SQL of the knowledge contest: `contest_sets` (one JSON document per question set),
//! `contest_visitors` (nicknames and their secret's digest), `contest_attempts` (one per
//! set and visitor, advanced by compare-and-set) and `contest_answers`.

use pavilion_model::QuestionSet;
use sqlx::AnyConnection;
use sqlx::Row as _;

use super::{NewAudit, Store};
use crate::error::Error;
use crate::time::now_rfc3339;

/// A stored question set with how many attempts it has.
#[derive(Debug, Clone)]
pub struct StoredSet {
    pub set: QuestionSet,
    pub updated_at: String,
    pub attempts: i64,
}

/// A visitor who plays under a nickname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestVisitor {
    pub id: i64,
    pub nickname: String,
}

/// One visitor's attempt at one set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: i64,
    pub set_id: String,
    pub questions: i64,
    /// The question being asked; equal to `questions` once finished.
    pub next_question: i64,
    /// When the question `next_question` was served; none until it is.
    pub asked_at_ms: Option<i64>,
    pub score: i64,
    pub correct: i64,
    pub time_ms: i64,
    pub finished: bool,
}

/// An answer to record and the attempt's advance it makes.
#[derive(Debug, Clone, Copy)]
pub struct AnswerRecord {
    pub question: i64,
    pub choice: Option<i64>,
    pub correct: bool,
    pub late: bool,
    pub time_ms: i64,
    pub points: i64,
}

/// One line of a leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub nickname: String,
    pub score: i64,
    pub correct: i64,
    pub time_ms: i64,
}

/// One finished or unfinished attempt, for the staff's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    pub set_id: String,
    pub nickname: String,
    pub score: i64,
    pub correct: i64,
    pub questions: i64,
    pub answered: i64,
    pub time_ms: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// Where a page of the results export ended: the last attempt's place in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultKey {
    pub score: i64,
    pub time_ms: i64,
    pub id: i64,
}

const ATTEMPT_COLUMNS: &str = "id, set_id, questions, next_question, asked_at_ms, score, correct, time_ms, CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END AS finished";

fn attempt_of(row: &sqlx::any::AnyRow) -> Result<Attempt, sqlx::Error> {
    Ok(Attempt {
        id: row.try_get("id")?,
        set_id: row.try_get("set_id")?,
        questions: row.try_get("questions")?,
        next_question: row.try_get("next_question")?,
        asked_at_ms: row.try_get("asked_at_ms")?,
        score: row.try_get("score")?,
        correct: row.try_get("correct")?,
        time_ms: row.try_get("time_ms")?,
        finished: row.try_get::<i64, _>("finished")? != 0,
    })
}

/// Every saved question set, by id, read on `conn` (so it can be part of a wider read
/// transaction, such as a publish's).
pub(super) async fn read_sets(conn: &mut AnyConnection) -> Result<Vec<QuestionSet>, Error> {
    let documents: Vec<String> =
        sqlx::query_scalar("SELECT document FROM contest_sets ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    documents
        .iter()
        .map(|document| Ok(serde_json::from_str(document)?))
        .collect()
}

/// The ids of the sets somebody has played, read on `conn`.
pub(super) async fn read_played_sets(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashSet<String>, Error> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT set_id FROM contest_attempts")
        .fetch_all(&mut *conn)
        .await?;
    Ok(ids.into_iter().collect())
}

impl Store {
    /// Every question set, by id, with its attempt count.
    pub async fn contest_sets(&self) -> Result<Vec<StoredSet>, Error> {
        let rows = sqlx::query(
            "SELECT s.document, s.updated_at,
                    (SELECT count(*) FROM contest_attempts a WHERE a.set_id = s.id) AS attempts
             FROM contest_sets s ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredSet {
                    set: serde_json::from_str(row.try_get("document")?)?,
                    updated_at: row.try_get("updated_at")?,
                    attempts: row.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// One question set with its attempt count.
    pub async fn contest_set(&self, id: &str) -> Result<Option<StoredSet>, Error> {
        let row = sqlx::query(
            "SELECT s.document, s.updated_at,
                    (SELECT count(*) FROM contest_attempts a WHERE a.set_id = s.id) AS attempts
             FROM contest_sets s WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(StoredSet {
                set: serde_json::from_str(row.try_get("document")?)?,
                updated_at: row.try_get("updated_at")?,
                attempts: row.try_get("attempts")?,
            })
        })
        .transpose()
    }

    /// How many sets there are.
    pub async fn contest_set_count(&self) -> Result<i64, Error> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM contest_sets")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Saves a set (already validated) with its audit entry when staff changed it (none for
    /// the seed), unless someone has played it since the caller looked: `false`, with nothing
    /// written, when it has attempts.
    pub async fn save_contest_set(
        &self,
        set: &QuestionSet,
        audit: Option<&NewAudit<'_>>,
    ) -> Result<bool, Error> {
        let document = serde_json::to_string(set)?;
        let mut tx = self.pool.begin().await?;
        let played: i64 =
            sqlx::query_scalar("SELECT count(*) FROM contest_attempts WHERE set_id = $1")
                .bind(&set.id)
                .fetch_one(&mut *tx)
                .await?;
        if played > 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO contest_sets (id, document, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
        )
        .bind(&set.id)
        .bind(&document)
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        if let Some(audit) = audit {
            super::audit::insert(&mut *tx, audit).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a set nobody has played, with its audit entry; `false` when it has attempts
    /// or does not exist.
    pub async fn delete_contest_set(&self, id: &str, audit: &NewAudit<'_>) -> Result<bool, Error> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query(
            "DELETE FROM contest_sets WHERE id = $1
             AND NOT EXISTS (SELECT 1 FROM contest_attempts WHERE set_id = $2)",
        )
        .bind(id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        super::audit::insert(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds a visitor; `None` when the nickname (folded) is taken.
    pub async fn add_contest_visitor(
        &self,
        nickname: &str,
        nickname_key: &str,
        token_digest: &str,
    ) -> Result<Option<ContestVisitor>, Error> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO contest_visitors (token_digest, nickname, nickname_key, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(token_digest)
        .bind(nickname)
        .bind(nickname_key)
        .bind(now_rfc3339())
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(|id| ContestVisitor {
            id,
            nickname: nickname.to_owned(),
        }))
    }

    /// The visitor whose secret has this digest, with the stored digest to compare again.
    pub async fn contest_visitor_by_digest(
        &self,
        digest: &str,
    ) -> Result<Option<(ContestVisitor, String)>, Error> {
        let row = sqlx::query(
            "SELECT id, nickname, token_digest FROM contest_visitors WHERE token_digest = $1",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok((
                ContestVisitor {
                    id: row.try_get("id")?,
                    nickname: row.try_get("nickname")?,
                },
                row.try_get("token_digest")?,
            ))
        })
        .transpose()
    }

    /// Starts the visitor's attempt at a set, asking its first question at `now_ms`;
    /// `None` when they already have one.
    pub async fn start_attempt(
        &self,
        set_id: &str,
        visitor_id: i64,
        questions: i64,
        now_ms: i64,
    ) -> Result<Option<Attempt>, Error> {
        let row = sqlx::query(&format!(
            "INSERT INTO contest_attempts (set_id, visitor_id, questions, next_question, asked_at_ms, started_at)
             VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (set_id, visitor_id) DO NOTHING
             RETURNING {ATTEMPT_COLUMNS}"
        ))
        .bind(set_id)
        .bind(visitor_id)
        .bind(questions)
        .bind(now_ms)
        .bind(now_rfc3339())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(attempt_of).transpose()?)
    }

    /// The visitor's attempt at a set, if any.
    pub async fn attempt(&self, set_id: &str, visitor_id: i64) -> Result<Option<Attempt>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM contest_attempts WHERE set_id = $1 AND visitor_id = $2"
        ))
        .bind(set_id)
        .bind(visitor_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(attempt_of).transpose()?)
    }

    /// Serves the attempt's next question at `now_ms` unless it is served already or the
    /// attempt is over. Returns the attempt after it.
    pub async fn serve_question(&self, attempt_id: i64, now_ms: i64) -> Result<Attempt, Error> {
        sqlx::query(
            "UPDATE contest_attempts SET asked_at_ms = $1
             WHERE id = $2 AND asked_at_ms IS NULL AND finished_at IS NULL",
        )
        .bind(now_ms)
        .bind(attempt_id)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM contest_attempts WHERE id = $1"
        ))
        .bind(attempt_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(attempt_of(&row)?)
    }

    /// Records an answer to question `answer.question`, in one transaction, only while that
    /// question is still the one asked and served (a compare-and-set: a replayed or
    /// concurrent answer changes nothing); the next question waits to be served. Returns the
    /// attempt after it.
    pub async fn record_answer(
        &self,
        attempt_id: i64,
        answer: AnswerRecord,
    ) -> Result<Option<Attempt>, Error> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE contest_attempts SET
                 next_question = next_question + 1,
                 asked_at_ms = NULL,
                 score = score + $1,
                 correct = correct + $2,
                 time_ms = time_ms + $3,
                 finished_at = CASE WHEN next_question + 1 = questions THEN $4 ELSE NULL END
             WHERE id = $5 AND next_question = $6 AND asked_at_ms IS NOT NULL
                   AND finished_at IS NULL
             RETURNING {ATTEMPT_COLUMNS}"
        ))
        .bind(answer.points)
        .bind(i64::from(answer.correct))
        .bind(answer.time_ms)
        .bind(now_rfc3339())
        .bind(attempt_id)
        .bind(answer.question)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO contest_answers (attempt_id, question, choice, correct, late, time_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(attempt_id)
        .bind(answer.question)
        .bind(answer.choice)
        .bind(i64::from(answer.correct))
        .bind(i64::from(answer.late))
        .bind(answer.time_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(attempt_of(&row)?))
    }

    /// The best finished attempts at a set: score first, then the least time.
    pub async fn set_board(&self, set_id: &str, limit: i64) -> Result<Vec<BoardRow>, Error> {
        let rows = sqlx::query(
            "SELECT v.nickname, a.score, a.correct, a.time_ms
             FROM contest_attempts a JOIN contest_visitors v ON v.id = a.visitor_id
             WHERE a.set_id = $1 AND a.finished_at IS NOT NULL
             ORDER BY a.score DESC, a.time_ms, a.finished_at, v.nickname_key LIMIT $2",
        )
        .bind(set_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(board_row).collect()
    }

    /// The week's best: each visitor's finished attempts summed.
    pub async fn week_board(&self, limit: i64) -> Result<Vec<BoardRow>, Error> {
        let rows = sqlx::query(
            "SELECT v.nickname, CAST(sum(a.score) AS BIGINT) AS score,
                    CAST(sum(a.correct) AS BIGINT) AS correct,
                    CAST(sum(a.time_ms) AS BIGINT) AS time_ms
             FROM contest_attempts a JOIN contest_visitors v ON v.id = a.visitor_id
             WHERE a.finished_at IS NOT NULL
             GROUP BY v.id
             ORDER BY score DESC, time_ms, v.nickname_key LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(board_row).collect()
    }

    /// The sets that have attempts, for the staff's export.
    pub async fn contest_result_sets(&self) -> Result<Vec<String>, Error> {
        let rows = sqlx::query("SELECT DISTINCT set_id FROM contest_attempts ORDER BY set_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| row.try_get("set_id").map_err(Error::from))
            .collect()
    }

    /// Up to `limit` attempts at `set_id` for the staff's export, best first (score, then
    /// time, then the order they started), after `after`: the export reads a set page by page
    /// so its memory stays bounded however many visitors played. Each page seeks in the
    /// `contest_attempts_board` index (`score <= ?` bounds the range; only ties are filtered).
    pub async fn contest_results_page(
        &self,
        set_id: &str,
        after: Option<ResultKey>,
        limit: i64,
    ) -> Result<Vec<(ResultKey, ResultRow)>, Error> {
        let (score, time_ms, id) = after.map_or((i64::MAX, i64::MIN, i64::MIN), |key| {
            (key.score, key.time_ms, key.id)
        });
        let rows = sqlx::query(
            "SELECT a.id, a.set_id, v.nickname, a.score, a.correct, a.questions,
                    a.next_question AS answered, a.time_ms, a.started_at, a.finished_at
             FROM contest_attempts a JOIN contest_visitors v ON v.id = a.visitor_id
             WHERE a.set_id = $1 AND a.score <= $2
               AND (a.score < $2 OR a.time_ms > $3 OR (a.time_ms = $3 AND a.id > $4))
             ORDER BY a.score DESC, a.time_ms, a.id
             LIMIT $5",
        )
        .bind(set_id)
        .bind(score)
        .bind(time_ms)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let result = ResultRow {
                    set_id: row.try_get("set_id")?,
                    nickname: row.try_get("nickname")?,
                    score: row.try_get("score")?,
                    correct: row.try_get("correct")?,
                    questions: row.try_get("questions")?,
                    answered: row.try_get("answered")?,
                    time_ms: row.try_get("time_ms")?,
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
                };
                let key = ResultKey {
                    score: result.score,
                    time_ms: result.time_ms,
                    id: row.try_get("id")?,
                };
                Ok((key, result))
            })
            .collect()
    }
}

fn board_row(row: &sqlx::any::AnyRow) -> Result<BoardRow, Error> {
    Ok(BoardRow {
        nickname: row.try_get("nickname")?,
        score: row.try_get("score")?,
        correct: row.try_get("correct")?,
        time_ms: row.try_get("time_ms")?,
    })
}

#[cfg(test)]
mod export_tests {
    use super::*;

    /// The export's pages, read one after another, give every attempt of every set exactly
    /// once and in the board's order, ties in score and time included.
    #[tokio::test]
    async fn paged_results_are_every_attempt_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        for set in ["a-set", "b-set"] {
            sqlx::query(
                "INSERT INTO contest_sets (id, document, updated_at) VALUES ($1, '{}', 'now')",
            )
            .bind(set)
            .execute(&store.pool)
            .await
            .unwrap();
        }
        for visitor in 0..1_300_i64 {
            sqlx::query(
                "INSERT INTO contest_visitors (token_digest, nickname, nickname_key, created_at)
                 VALUES ($1, $2, $2, 'now')",
            )
            .bind(format!("digest-{visitor}"))
            .bind(format!("player{visitor}"))
            .execute(&store.pool)
            .await
            .unwrap();
            // Few distinct scores and times: many ties across page boundaries.
            let set = if visitor % 3 == 0 { "b-set" } else { "a-set" };
            sqlx::query(
                "INSERT INTO contest_attempts (set_id, visitor_id, questions, next_question,
                    score, correct, time_ms, started_at)
                 VALUES ($1, $2, 3, 3, $3, 0, $4, 'now')",
            )
            .bind(set)
            .bind(visitor + 1)
            .bind((visitor * 7) % 4 * 10)
            .bind((visitor * 13) % 5 * 1000)
            .execute(&store.pool)
            .await
            .unwrap();
        }
        let expected: Vec<(String, i64)> = sqlx::query_as(
            "SELECT set_id, id FROM contest_attempts ORDER BY set_id, score DESC, time_ms, id",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();

        let mut paged = Vec::new();
        let sets = store.contest_result_sets().await.unwrap();
        assert_eq!(sets, ["a-set", "b-set"]);
        for set in &sets {
            let mut after = None;
            loop {
                let page = store.contest_results_page(set, after, 100).await.unwrap();
                assert!(page.len() <= 100);
                for (key, row) in &page {
                    assert_eq!(&row.set_id, set);
                    paged.push((row.set_id.clone(), key.id));
                }
                match page.last() {
                    Some((key, _)) if page.len() == 100 => after = Some(*key),
                    _ => break,
                }
            }
        }
        assert_eq!(paged, expected);
    }
}
