//! The layout rules that need the server's data, on top of the model's geometric rules:
//! every booth belongs to a known exhibitor and has the footprint of its tier.

use std::collections::HashMap;

use pavilion_model::Hall;
use pavilion_model::layout::{self, LayoutProblem, LayoutRule};

use crate::db::{ExhibitorRecord, Store};
use crate::error::Error;

/// Every problem of a layout: the model's rules plus the ones that need the exhibitors
/// (each booth belongs to a known exhibitor and has the footprint of its tier).
pub fn layout_problems(
    halls: &[Hall],
    exhibitors: &HashMap<String, ExhibitorRecord>,
) -> Vec<LayoutProblem> {
    let mut problems = layout::validate(halls);
    for hall in halls {
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
