//! Playing the contest without an account: a visitor takes a nickname and gets a secret
//! (`pcv_` and 32 random bytes in hex, stored as its digest), starts one attempt per set, and
//! is asked one question at a time. Answers are checked here only: a question's answer and
//! explanation leave the server only in the reply to the answer. The attempt row advances by
//! compare-and-set, so a replayed answer, an answer to a question not asked yet, a second
//! attempt and an answer after the time limit (recorded as wrong) are refused or scored as
//! such whatever the client sends.

use pavilion_model::contest::{AskedQuestion, POINTS_PER_ANSWER, QuestionSet};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clock::ContestClock;
use crate::db::{AnswerRecord, Attempt, BoardRow, ContestVisitor, Store};
use crate::error::{ContestRefusal, Error};
use crate::secret::{digest_matches, is_well_formed_token, random_bytes, token_digest};

/// The prefix of a visitor's secret.
pub const VISITOR_TOKEN_PREFIX: &str = "pcv_";
const VISITOR_TOKEN_BYTES: usize = 32;
/// Characters of a nickname.
pub const MIN_NICKNAME_CHARS: usize = 2;
pub const MAX_NICKNAME_CHARS: usize = 24;
/// How late an answer may arrive after the time limit and still count: the network's
/// share of the time, so a visitor who clicked at the last second is not refused.
pub const GRACE_MS: i64 = 1_500;
/// Lines of a leaderboard.
pub const BOARD_LINES: i64 = 20;

/// A new visitor's nickname and secret (shown once: the page keeps it).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewVisitor {
    pub nickname: String,
    /// Send as `X-Contest-Visitor` on every play request.
    pub token: String,
}

/// Where a visitor stands in one set.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub set: String,
    pub questions: i64,
    /// Questions answered (or timed out) so far.
    pub answered: i64,
    pub score: i64,
    pub correct: i64,
    pub finished: bool,
    /// The question asked now, without its answer; none once finished, and none in an
    /// answer's verdict (the next question is served by reading the attempt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<AskedQuestion>,
    /// Milliseconds left to answer it (0 when the time is up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_left: Option<i64>,
}

/// An answer as sent: the question's index (which must be the one asked) and the choice,
/// none when the time ran out before the visitor chose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerSent {
    pub question: usize,
    pub choice: Option<usize>,
}

/// The verdict on an answer, with the answer and its explanation, and the next question.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verdict {
    pub question: usize,
    pub correct: bool,
    /// The answer came after the time limit and counted as wrong.
    pub late: bool,
    /// The index of the correct choice.
    pub answer: usize,
    pub explanation: String,
    pub points: u32,
    pub attempt: AttemptView,
}

/// A leaderboard line.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardLine {
    /// 1 for the best; equal scores and times share a rank.
    pub rank: usize,
    pub nickname: String,
    pub score: i64,
    pub correct: i64,
    pub time_ms: i64,
}

/// A nickname trimmed and checked: 2 to 24 letters, digits, spaces, `-`, `_` or `.`.
pub fn parse_nickname(raw: &str) -> Result<String, Error> {
    let nickname = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let count = nickname.chars().count();
    if !(MIN_NICKNAME_CHARS..=MAX_NICKNAME_CHARS).contains(&count) {
        return Err(Error::BadRequest(format!(
            "a nickname has {MIN_NICKNAME_CHARS} to {MAX_NICKNAME_CHARS} characters, not {count}"
        )));
    }
    if let Some(bad) = nickname
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
    {
        return Err(Error::BadRequest(format!(
            "a nickname may hold letters, digits, spaces, '-', '_' and '.', not {bad:?}"
        )));
    }
    Ok(nickname)
}

/// Registers a nickname (unique regardless of case) and returns its secret.
pub async fn register(store: &Store, raw: &str) -> Result<NewVisitor, Error> {
    let nickname = parse_nickname(raw)?;
    let token = format!(
        "{VISITOR_TOKEN_PREFIX}{}",
        hex::encode(random_bytes::<VISITOR_TOKEN_BYTES>()?)
    );
    match store
        .add_contest_visitor(&nickname, &nickname.to_lowercase(), &token_digest(&token))
        .await?
    {
        Some(visitor) => Ok(NewVisitor {
            nickname: visitor.nickname,
            token,
        }),
        None => Err(Error::contest(
            ContestRefusal::NicknameTaken,
            format!("{nickname:?} is taken; choose another nickname"),
        )),
    }
}

/// The visitor a secret belongs to, or 401.
pub async fn visitor_for_token(store: &Store, token: &str) -> Result<ContestVisitor, Error> {
    let refused = || {
        Error::Unauthorized(
            "send the secret you got with your nickname as X-Contest-Visitor".into(),
        )
    };
    if !is_well_formed_token(token, VISITOR_TOKEN_PREFIX, VISITOR_TOKEN_BYTES) {
        return Err(refused());
    }
    let digest = token_digest(token);
    match store.contest_visitor_by_digest(&digest).await? {
        Some((visitor, stored)) if digest_matches(&stored, &digest) => Ok(visitor),
        _ => Err(refused()),
    }
}

fn limit_ms(set: &QuestionSet) -> i64 {
    i64::from(set.seconds_per_question) * 1000
}

fn view(set: &QuestionSet, attempt: &Attempt, now_ms: i64) -> AttemptView {
    let served = attempt.asked_at_ms.filter(|_| !attempt.finished);
    let asked = served
        .and_then(|_| usize::try_from(attempt.next_question).ok())
        .and_then(|index| set.ask(index));
    let ms_left = served
        .filter(|_| asked.is_some())
        .map(|at| (at + limit_ms(set) - now_ms).clamp(0, limit_ms(set)));
    AttemptView {
        set: set.id.clone(),
        questions: attempt.questions,
        answered: attempt.next_question,
        score: attempt.score,
        correct: attempt.correct,
        finished: attempt.finished,
        question: asked,
        ms_left,
    }
}

/// Starts the visitor's one attempt at `set` (as published), asking its first question now.
/// A published set staff have deleted since is no longer played (404).
pub async fn start(
    store: &Store,
    clock: &ContestClock,
    set: &QuestionSet,
    visitor: &ContestVisitor,
) -> Result<AttemptView, Error> {
    if store.contest_set(&set.id).await?.is_none() {
        return Err(Error::not_found(format!(
            "the question set {:?} has been withdrawn since it was published",
            set.id
        )));
    }
    let now = clock.now_ms();
    let questions = i64::try_from(set.questions.len()).unwrap_or(i64::MAX);
    match store
        .start_attempt(&set.id, visitor.id, questions, now)
        .await?
    {
        Some(attempt) => Ok(view(set, &attempt, now)),
        None => Err(Error::contest(
            ContestRefusal::AlreadyPlayed,
            format!(
                "{} has played {:?} already: one attempt per set",
                visitor.nickname, set.title
            ),
        )),
    }
}

/// The visitor's attempt at `set` as it stands, serving the next question now if it has
/// not been served (a question served before keeps its clock).
pub async fn current(
    store: &Store,
    clock: &ContestClock,
    set: &QuestionSet,
    visitor: &ContestVisitor,
) -> Result<AttemptView, Error> {
    let attempt = attempt_of(store, set, visitor).await?;
    let now = clock.now_ms();
    let attempt = if attempt.finished || attempt.asked_at_ms.is_some() {
        attempt
    } else {
        store.serve_question(attempt.id, now).await?
    };
    Ok(view(set, &attempt, now))
}

async fn attempt_of(
    store: &Store,
    set: &QuestionSet,
    visitor: &ContestVisitor,
) -> Result<Attempt, Error> {
    store.attempt(&set.id, visitor.id).await?.ok_or_else(|| {
        Error::not_found(format!(
            "{} has not started {:?}",
            visitor.nickname, set.title
        ))
    })
}

/// Checks an answer to the question asked now: right or wrong, late (after the limit and
/// its grace: wrong whatever the choice) or refused (a question answered before, one not
/// asked yet, an attempt finished). Records it; the next question waits to be served.
pub async fn answer(
    store: &Store,
    clock: &ContestClock,
    set: &QuestionSet,
    visitor: &ContestVisitor,
    sent: &AnswerSent,
) -> Result<Verdict, Error> {
    let attempt = attempt_of(store, set, visitor).await?;
    if attempt.finished {
        return Err(Error::contest(
            ContestRefusal::Finished,
            "this attempt is over: every question has been answered",
        ));
    }
    let asked = attempt.next_question;
    let question_index = i64::try_from(sent.question).unwrap_or(i64::MAX);
    if question_index < asked {
        return Err(already_answered(sent.question));
    }
    let Some(asked_at) = attempt.asked_at_ms.filter(|_| question_index == asked) else {
        return Err(Error::contest(
            ContestRefusal::NotAsked,
            format!(
                "question {} has not been asked yet; read the attempt to be asked question {asked}",
                sent.question
            ),
        ));
    };
    // The set is frozen once played, so the attempt's questions are the set's; a store
    // edited by hand is an internal error, not a panic.
    let Some(question) = set.questions.get(sent.question) else {
        return Err(Error::Internal(format!(
            "attempt {} asks question {} of {:?}, which has {}",
            attempt.id,
            sent.question,
            set.id,
            set.questions.len()
        )));
    };
    if let Some(choice) = sent.choice
        && choice >= question.choices.len()
    {
        return Err(Error::BadRequest(format!(
            "choice {choice} is not one of the question's {} choices",
            question.choices.len()
        )));
    }
    let now = clock.now_ms();
    let elapsed = (now - asked_at).max(0);
    let late = elapsed > limit_ms(set) + GRACE_MS;
    let correct = !late && sent.choice == Some(question.answer);
    let points = if correct { POINTS_PER_ANSWER } else { 0 };
    let record = AnswerRecord {
        question: question_index,
        choice: sent.choice.and_then(|c| i64::try_from(c).ok()),
        correct,
        late,
        time_ms: elapsed.min(limit_ms(set)),
        points: i64::from(points),
    };
    let Some(after) = store.record_answer(attempt.id, record).await? else {
        // Another request answered it between the read and the write.
        return Err(already_answered(sent.question));
    };
    Ok(Verdict {
        question: sent.question,
        correct,
        late,
        answer: question.answer,
        explanation: question.explanation.clone(),
        points,
        attempt: view(set, &after, now),
    })
}

fn already_answered(question: usize) -> Error {
    Error::contest(
        ContestRefusal::AlreadyAnswered,
        format!("question {question} has been answered already; answers cannot be changed"),
    )
}

/// Ranks board rows: equal score and time share a rank.
fn ranked(rows: Vec<BoardRow>) -> Vec<BoardLine> {
    let mut lines: Vec<BoardLine> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let rank = match lines.last() {
            Some(last) if last.score == row.score && last.time_ms == row.time_ms => last.rank,
            _ => i + 1,
        };
        lines.push(BoardLine {
            rank,
            nickname: row.nickname,
            score: row.score,
            correct: row.correct,
            time_ms: row.time_ms,
        });
    }
    lines
}

/// The best finished attempts at a set.
pub async fn set_board(store: &Store, set: &QuestionSet) -> Result<Vec<BoardLine>, Error> {
    Ok(ranked(store.set_board(&set.id, BOARD_LINES).await?))
}

/// The week's best, every finished attempt of a visitor summed.
pub async fn week_board(store: &Store) -> Result<Vec<BoardLine>, Error> {
    Ok(ranked(store.week_board(BOARD_LINES).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_are_trimmed_and_bounded() {
        assert_eq!(parse_nickname("  Ada   L. ").unwrap(), "Ada L.");
        assert_eq!(parse_nickname("李雷").unwrap(), "李雷");
        assert!(parse_nickname("A").is_err());
        assert!(parse_nickname(&"a".repeat(25)).is_err());
        assert!(parse_nickname("<script>").is_err());
        assert!(parse_nickname("bad\u{202e}name").is_err());
    }
}
