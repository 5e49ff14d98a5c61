//! The knowledge contest: the question sets staff write (checked by the model's rules, the
//! theme day against the programme draft's, and frozen once somebody has played them) and
//! publish with the hall (visitors play the sets of the live version), the visitors' play
//! (`play`), its clock and rate limits, the staff's CSV export, and the
//! seed sets imported on first start (`seed`).

pub mod clock;
pub mod export;
pub mod play;
pub mod seed;
pub mod throttle;

use pavilion_model::contest::{ContestProblem, ContestRule, MAX_SETS, QuestionSet};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{NewAudit, StaffSession, Store, StoredSet};
use crate::error::{ContestRefusal, Error};

/// A set as visitors see it before playing: what it is, never its questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SetSummary {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme_day: Option<String>,
    /// How many questions it has.
    pub questions: usize,
    pub seconds_per_question: u16,
}

impl SetSummary {
    pub fn of(set: &QuestionSet) -> SetSummary {
        SetSummary {
            id: set.id.clone(),
            title: set.title.clone(),
            theme_day: set.theme_day.clone(),
            questions: set.questions.len(),
            seconds_per_question: set.seconds_per_question,
        }
    }
}

/// The sets visitors play: those `published` with the live version, or, for a version
/// published before sets were published (`None`), the saved ones.
pub async fn offered(
    store: &Store,
    published: Option<&[QuestionSet]>,
) -> Result<Vec<QuestionSet>, Error> {
    Ok(match published {
        Some(sets) => sets.to_vec(),
        None => store
            .contest_sets()
            .await?
            .into_iter()
            .map(|stored| stored.set)
            .collect(),
    })
}

/// One set visitors play (see [`offered`]), or 404.
pub async fn offered_set(
    store: &Store,
    published: Option<&[QuestionSet]>,
    id: &str,
) -> Result<QuestionSet, Error> {
    let found = match published {
        Some(sets) => sets.iter().find(|set| set.id == id).cloned(),
        None => store.contest_set(id).await?.map(|stored| stored.set),
    };
    found.ok_or_else(|| Error::not_found(format!("there is no question set {id:?} to play")))
}

/// Every set visitors play, summarised.
pub async fn summaries(
    store: &Store,
    published: Option<&[QuestionSet]>,
) -> Result<Vec<SetSummary>, Error> {
    Ok(offered(store, published)
        .await?
        .iter()
        .map(SetSummary::of)
        .collect())
}

/// Every set in full (answers included), for staff.
pub async fn sets(store: &Store) -> Result<Vec<StoredSet>, Error> {
    store.contest_sets().await
}

/// A set, or 404.
pub async fn set(store: &Store, id: &str) -> Result<StoredSet, Error> {
    store
        .contest_set(id)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no question set {id:?}")))
}

/// Checks a set against the model's rules, its theme day against the programme draft's
/// theme days and the number of sets, then saves it with its audit entry. A set somebody
/// has played is refused (`set_in_play`): its questions are what their scores mean.
pub async fn save_set(store: &Store, who: &StaffSession, set: &QuestionSet) -> Result<(), Error> {
    let problems = problems_of(store, set).await?;
    if !problems.is_empty() {
        return Err(Error::ContestProblems(problems));
    }
    let detail = serde_json::json!({ "title": set.title, "questions": set.questions.len() });
    let target = format!("question set {}", set.id);
    let audit = NewAudit::new(who, "save_question_set", &target, detail);
    if store.save_contest_set(set, Some(&audit)).await? {
        Ok(())
    } else {
        Err(in_play(&set.id))
    }
}

/// Every rule `set` breaks: the model's, its theme day against the programme draft's, and
/// the number of sets.
pub async fn problems_of(store: &Store, set: &QuestionSet) -> Result<Vec<ContestProblem>, Error> {
    let mut problems = set.validate();
    if let Some(theme) = &set.theme_day {
        let known = store
            .programme_draft()
            .await?
            .is_some_and(|draft| draft.programme.theme_days.iter().any(|t| &t.id == theme));
        if !known {
            problems.push(ContestProblem {
                rule: ContestRule::ThemeDay,
                field: "theme_day".into(),
                message: format!("{theme:?} is not a theme day of the programme"),
            });
        }
    }
    let exists = store.contest_set(&set.id).await?.is_some();
    if !exists && store.contest_set_count().await? >= MAX_SETS as i64 {
        problems.push(ContestProblem {
            rule: ContestRule::TooMany,
            field: "id".into(),
            message: format!("there are {MAX_SETS} sets already; change or delete one"),
        });
    }
    Ok(problems)
}

/// Deletes a set nobody has played.
pub async fn delete_set(store: &Store, who: &StaffSession, id: &str) -> Result<(), Error> {
    set(store, id).await?;
    let target = format!("question set {id}");
    let audit = NewAudit::new(who, "delete_question_set", &target, serde_json::json!({}));
    if store.delete_contest_set(id, &audit).await? {
        Ok(())
    } else {
        Err(in_play(id))
    }
}

fn in_play(id: &str) -> Error {
    Error::contest(
        ContestRefusal::SetInPlay,
        format!(
            "visitors have played {id:?}: its questions can no longer change; write a new set instead"
        ),
    )
}
