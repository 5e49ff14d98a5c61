//! The layout rules that need the server's data, on top of the model's geometric rules:
//! every booth belongs to a known exhibitor and has the footprint of its tier, and every
//! stage area shows a stage of the programme draft (or is the contest desk).

use std::collections::HashMap;

use pavilion_model::layout::{self, CONTEST_DESK, LayoutProblem, LayoutRule};
use pavilion_model::{Hall, Programme};

use crate::db::{ExhibitorRecord, Store};
use crate::error::Error;

/// Every problem of a layout: the model's rules plus the ones that need the exhibitors
/// (each booth belongs to a known exhibitor and has the footprint of its tier) and the
/// programme draft (each stage area but the contest desk shows one of its stages).
pub fn layout_problems(
    halls: &[Hall],
    exhibitors: &HashMap<String, ExhibitorRecord>,
    programme: Option<&Programme>,
) -> Vec<LayoutProblem> {
    let mut problems = layout::validate(halls);
    for hall in halls {
        for area in &hall.stages {
            let id = area.stage.as_str();
            if id == CONTEST_DESK || id.trim().is_empty() {
                continue;
            }
            let message = match programme {
                Some(programme) if programme.stages.iter().any(|s| s.id == id) => continue,
                Some(_) => format!(
                    "stage {id}: the programme has no stage {id}; add it to the programme or remove the stage area"
                ),
                None => format!(
                    "stage {id}: there is no programme yet, so there is no stage {id} to show"
                ),
            };
            problems.push(LayoutProblem {
                hall: hall.id.clone(),
                exhibitor: None,
                stage: Some(id.to_owned()),
                rule: LayoutRule::Stage,
                message,
            });
        }
        for booth in &hall.booths {
            let problem = |rule, message| LayoutProblem {
                hall: hall.id.clone(),
                exhibitor: Some(booth.exhibitor.clone()),
                stage: None,
                rule,
                message,
            };
            match exhibitors.get(&booth.exhibitor) {
                None => problems.push(problem(
                    LayoutRule::Booth,
                    format!("{}: there is no exhibitor of that name", booth.exhibitor),
                )),
                Some(record) => {
                    let tier = record.profile.tier();
                    if tier.footprint() != booth.footprint {
                        problems.push(problem(
                            LayoutRule::Booth,
                            format!(
                                "{}: a {} booth is {} m x {} m, not {} m x {} m",
                                booth.exhibitor,
                                tier.slug(),
                                tier.footprint().width,
                                tier.footprint().depth,
                                booth.footprint.width,
                                booth.footprint.depth
                            ),
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// Exhibitors by slug.
pub async fn exhibitors_by_slug(store: &Store) -> Result<HashMap<String, ExhibitorRecord>, Error> {
    Ok(store
        .exhibitors()
        .await?
        .into_iter()
        .map(|record| (record.profile.slug().to_string(), record))
        .collect())
}

/// The programme draft, when there is one: what stage areas are checked against.
pub async fn programme_draft(store: &Store) -> Result<Option<Programme>, Error> {
    Ok(store.programme_draft().await?.map(|draft| draft.programme))
}
