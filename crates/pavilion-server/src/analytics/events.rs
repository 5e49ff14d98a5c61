//! A batch of visitor events, checked as a whole (an unknown booth, a bad dwell time or too
//! many events refuse the batch, nothing recorded), tallied per booth in memory and added to
//! the day's counts in one transaction. The day is the server's, never the caller's.

use std::collections::BTreeMap;

use pavilion_model::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::{Counts, Store};
use crate::error::Error;
use crate::hall::PublishedHall;
use crate::time::{day_of_unix, format_day};

/// Events one batch may carry (the page sends one every ten seconds or so).
pub const MAX_EVENTS_PER_BATCH: usize = 100;
/// The most time one dwell event counts: a tab left open overnight is not a visit of hours.
pub const MAX_DWELL_SECONDS: f64 = 600.0;
/// The largest batch body read, in bytes (100 events fit with room to spare).
pub const MAX_BATCH_BYTES: usize = 16 * 1024;

/// What a visitor did at a booth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The booth was opened.
    Visit,
    /// The booth was open for `seconds`.
    Dwell,
    /// A video was started.
    MediaPlay,
    /// The brochure was opened.
    BrochureDownload,
    /// The 3D model was looked at.
    ModelView,
}

/// One event.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The booth's exhibitor slug, as in the published hall.
    pub booth: String,
    pub kind: EventKind,
    /// With `dwell` only: seconds the booth was open, at least 0; more than 600 count as 600.
    #[serde(default)]
    pub seconds: Option<f64>,
}

/// What the page sends: at most 100 events, at most 16 KiB.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    pub events: Vec<Event>,
}

/// The answer to a batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recorded {
    /// Events counted: 0 when the browser asked not to be tracked.
    pub recorded: usize,
}

/// The counts a batch adds, per booth; every problem of the batch otherwise.
pub fn tally(
    batch: &EventBatch,
    is_booth: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, Counts>, Error> {
    let count = batch.events.len();
    if count > MAX_EVENTS_PER_BATCH {
        return Err(Error::InvalidFields(vec![FieldError {
            field: "events".into(),
            message: format!(
                "a batch holds at most {MAX_EVENTS_PER_BATCH} events; this one has {count}: send the rest in another"
            ),
        }]));
    }
    let mut problems = Vec::new();
    let mut tallies: BTreeMap<String, Counts> = BTreeMap::new();
    for (index, event) in batch.events.iter().enumerate() {
        let problem = |field: &str, message: String| FieldError {
            field: format!("events[{index}].{field}"),
            message,
        };
        if !is_booth(&event.booth) {
            problems.push(problem(
                "booth",
                format!(
                    "{:?} is not a booth in the published hall",
                    shortened(&event.booth)
                ),
            ));
            continue;
        }
        let seconds = match (event.kind, event.seconds) {
            (EventKind::Dwell, None) => {
                problems.push(problem("seconds", "a dwell event needs its seconds".into()));
                continue;
            }
            (EventKind::Dwell, Some(seconds)) if seconds.is_nan() || seconds < 0.0 => {
                problems.push(problem(
                    "seconds",
                    format!("{seconds} is not a time spent: send 0 or more seconds"),
                ));
                continue;
            }
            (EventKind::Dwell, Some(seconds)) => seconds.min(MAX_DWELL_SECONDS).round() as i64,
            (_, Some(_)) => {
                problems.push(problem("seconds", "only a dwell event has seconds".into()));
                continue;
            }
            (_, None) => 0,
        };
        let counts = tallies.entry(event.booth.clone()).or_default();
        match event.kind {
            EventKind::Visit => counts.visits += 1,
            EventKind::Dwell => counts.dwell_seconds += seconds,
            EventKind::MediaPlay => counts.media_plays += 1,
            EventKind::BrochureDownload => counts.brochure_downloads += 1,
            EventKind::ModelView => counts.model_views += 1,
        }
    }
    if problems.is_empty() {
        Ok(tallies)
    } else {
        Err(Error::InvalidFields(problems))
    }
}

/// At most 64 characters of what a caller sent, for a message.
fn shortened(text: &str) -> String {
    text.chars().take(64).collect()
}

/// Checks `batch` against the booths of `hall` and adds it to the counts of the UTC day of
/// `now` (seconds since the Unix epoch); returns how many events were counted.
pub async fn record_events(
    store: &Store,
    hall: &PublishedHall,
    batch: &EventBatch,
    now: i64,
) -> Result<usize, Error> {
    let tallies = tally(batch, |slug| hall.shows_booth(slug))?;
    let rows: Vec<(String, Counts)> = tallies
        .into_iter()
        .filter(|(_, counts)| !counts.is_zero())
        .collect();
    if !rows.is_empty() {
        store
            .add_booth_counts(&format_day(day_of_unix(now)), &rows)
            .await?;
    }
    Ok(batch.events.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(json: serde_json::Value) -> EventBatch {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_batch_is_tallied_per_booth_with_dwell_clamped() {
        let tallies = tally(
            &batch(serde_json::json!({"events": [
                {"booth": "a", "kind": "visit"},
                {"booth": "a", "kind": "dwell", "seconds": 12.4},
                {"booth": "a", "kind": "dwell", "seconds": 1e300},
                {"booth": "b", "kind": "media_play"},
                {"booth": "b", "kind": "brochure_download"},
                {"booth": "b", "kind": "model_view"},
                {"booth": "b", "kind": "model_view"},
            ]})),
            |slug| slug == "a" || slug == "b",
        )
        .unwrap();
        assert_eq!(
            tallies["a"],
            Counts {
                visits: 1,
                dwell_seconds: 612,
                ..Counts::default()
            }
        );
        assert_eq!(
            tallies["b"],
            Counts {
                media_plays: 1,
                brochure_downloads: 1,
                model_views: 2,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn every_problem_of_a_batch_is_named() {
        let Err(Error::InvalidFields(problems)) = tally(
            &batch(serde_json::json!({"events": [
                {"booth": "nobody", "kind": "visit"},
                {"booth": "a", "kind": "dwell"},
                {"booth": "a", "kind": "dwell", "seconds": -1},
                {"booth": "a", "kind": "visit", "seconds": 3},
                {"booth": "a", "kind": "visit"},
            ]})),
            |slug| slug == "a",
        ) else {
            panic!("refused");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "events[0].booth",
                "events[1].seconds",
                "events[2].seconds",
                "events[3].seconds"
            ]
        );
        let many = EventBatch {
            events: vec![
                Event {
                    booth: "a".into(),
                    kind: EventKind::Visit,
                    seconds: None
                };
                MAX_EVENTS_PER_BATCH + 1
            ],
        };
        assert!(tally(&many, |_| true).is_err());
    }
}
