//! The figures read back: one booth's counts per day with totals (the exhibitor's
//! `/api/v1/me/stats`), and the whole hall's totals per day with the busiest booths (staff).
//! A period is a range of UTC days, at most a year, the last 30 days unless asked otherwise;
//! every day of it is listed, days without visitors as zeros, so a chart needs no gaps filled.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{Counts, Store};
use crate::error::Error;
use crate::time::{day_of_unix, format_day, parse_day};

/// Days in a period when the caller names none.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period one request may ask for.
pub const MAX_DAYS: i64 = 366;
/// Busiest booths listed when the caller does not say.
pub const DEFAULT_BUSIEST: u32 = 10;
/// Busiest booths listed at most.
pub const MAX_BUSIEST: u32 = 100;

/// A range of UTC days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: i64,
    pub last: i64,
}

impl Period {
    /// The period from `from` to `to` (`YYYY-MM-DD`); `to` defaults to the day of `now`,
    /// `from` to 29 days before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, now: i64) -> Result<Period, Error> {
        let day = |name: &str, text: &str| {
            parse_day(text).ok_or_else(|| {
                Error::BadRequest(format!(
                    "{name}={:?} is not a day: write it as YYYY-MM-DD",
                    text.chars().take(32).collect::<String>()
                ))
            })
        };
        let last = match to {
            Some(text) => day("to", text)?,
            None => day_of_unix(now),
        };
        let first = match from {
            Some(text) => day("from", text)?,
            None => last - (DEFAULT_DAYS - 1),
        };
        if first > last {
            return Err(Error::BadRequest(format!(
                "from ({}) is after to ({})",
                format_day(first),
                format_day(last)
            )));
        }
        if last - first + 1 > MAX_DAYS {
            return Err(Error::BadRequest(format!(
                "ask for at most {MAX_DAYS} days at a time; {} to {} is {} days",
                format_day(first),
                format_day(last),
                last - first + 1
            )));
        }
        Ok(Period { first, last })
    }

    fn bounds(self) -> (String, String) {
        (format_day(self.first), format_day(self.last))
    }

    /// Every day of the period with the counts of `by_day` (zero where it has none).
    fn every_day(self, by_day: &BTreeMap<String, Counts>) -> Vec<DayStats> {
        (self.first..=self.last)
            .map(|day| {
                let day = format_day(day);
                let counts = by_day.get(&day).copied().unwrap_or_default();
                DayStats { day, counts }
            })
            .collect()
    }
}

/// The counts of one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayStats {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub counts: Counts,
}

/// One booth's figures over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoothStats {
    pub booth: String,
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The last day, `YYYY-MM-DD` (included).
    pub to: String,
    /// Every day of the period, oldest first.
    pub days: Vec<DayStats>,
    pub totals: Counts,
}

/// One booth's totals over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoothTotal {
    pub booth: String,
    pub counts: Counts,
}

/// The whole hall's figures over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HallStats {
    pub from: String,
    pub to: String,
    /// Every day of the period, all booths together, oldest first.
    pub days: Vec<DayStats>,
    pub totals: Counts,
    /// The booths with the most visits, most first (booths without any are left out).
    pub busiest: Vec<BoothTotal>,
}

/// `booth`'s figures over `period`.
pub async fn booth_stats(store: &Store, booth: &str, period: Period) -> Result<BoothStats, Error> {
    let (first, last) = period.bounds();
    let rows = store.booth_days(Some(booth), &first, &last).await?;
    let by_day: BTreeMap<String, Counts> =
        rows.into_iter().map(|row| (row.day, row.counts)).collect();
    let mut totals = Counts::default();
    for counts in by_day.values() {
        totals.add(counts);
    }
    Ok(BoothStats {
        booth: booth.to_owned(),
        from: first,
        to: last,
        days: period.every_day(&by_day),
        totals,
    })
}

/// The hall's figures over `period`, with the `busiest` booths by visits.
pub async fn hall_stats(store: &Store, period: Period, busiest: u32) -> Result<HallStats, Error> {
    let (first, last) = period.bounds();
    let mut by_day: BTreeMap<String, Counts> = BTreeMap::new();
    let mut totals = Counts::default();
    for row in store.booth_days(None, &first, &last).await? {
        by_day.entry(row.day).or_default().add(&row.counts);
        totals.add(&row.counts);
    }
    let busiest = store
        .busiest_booths(&first, &last, busiest.clamp(1, MAX_BUSIEST))
        .await?
        .into_iter()
        .filter(|(_, counts)| counts.visits > 0)
        .map(|(booth, counts)| BoothTotal { booth, counts })
        .collect();
    Ok(HallStats {
        days: period.every_day(&by_day),
        from: first,
        to: last,
        totals,
        busiest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON_2026_11_30: i64 = 1_796_040_000;

    #[test]
    fn periods_default_to_the_last_30_days_and_are_bounded() {
        let period = Period::parse(None, None, NOON_2026_11_30).unwrap();
        assert_eq!(format_day(period.last), "2026-11-30");
        assert_eq!(format_day(period.first), "2026-11-01");
        let one = Period::parse(Some("2026-11-02"), Some("2026-11-02"), 0).unwrap();
        assert_eq!(one.first, one.last);
        assert!(Period::parse(Some("2025-01-01"), Some("2026-01-01"), 0).is_ok());
        for (from, to) in [
            (Some("2026-11-03"), Some("2026-11-02")),
            (Some("2024-01-01"), Some("2026-01-01")),
            (Some("yesterday"), None),
            (None, Some("2026-02-30")),
        ] {
            let error = Period::parse(from, to, NOON_2026_11_30).unwrap_err();
            assert_eq!(error.code(), "bad_request", "{from:?} {to:?}");
        }
    }
}
