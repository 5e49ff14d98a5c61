//! SQL of the `booth_daily_stats` table: visitor counts per booth and UTC day, added to with
//! one UPSERT per booth and read back per booth or summed over a range of days.

use serde::Serialize;
use sqlx::Row as _;
use utoipa::ToSchema;

use super::Store;
use crate::error::Error;

/// What visitors did at a booth (or at every booth) over some days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    /// Times the booth was opened.
    pub visits: i64,
    /// Seconds visitors spent with the booth open.
    pub dwell_seconds: i64,
    /// Videos started.
    pub media_plays: i64,
    /// Brochures opened or downloaded.
    pub brochure_downloads: i64,
    /// Times the booth's 3D model was looked at.
    pub model_views: i64,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.visits += other.visits;
        self.dwell_seconds += other.dwell_seconds;
        self.media_plays += other.media_plays;
        self.brochure_downloads += other.brochure_downloads;
        self.model_views += other.model_views;
    }

    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// One booth's counts on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoothDay {
    pub exhibitor: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub counts: Counts,
}

const COUNT_COLUMNS: &str = "visits, dwell_seconds, media_plays, brochure_downloads, model_views";

fn counts_of(row: &sqlx::any::AnyRow) -> Counts {
    Counts {
        visits: row.get("visits"),
        dwell_seconds: row.get("dwell_seconds"),
        media_plays: row.get("media_plays"),
        brochure_downloads: row.get("brochure_downloads"),
        model_views: row.get("model_views"),
    }
}

impl Store {
    /// Adds each booth's counts to its row for `day`, in one transaction.
    pub async fn add_booth_counts(
        &self,
        day: &str,
        counts: &[(String, Counts)],
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        for (exhibitor, add) in counts {
            sqlx::query(&format!(
                "INSERT INTO booth_daily_stats (exhibitor, day, {COUNT_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (exhibitor, day) DO UPDATE SET
                    visits = booth_daily_stats.visits + excluded.visits,
                    dwell_seconds = booth_daily_stats.dwell_seconds + excluded.dwell_seconds,
                    media_plays = booth_daily_stats.media_plays + excluded.media_plays,
                    brochure_downloads = booth_daily_stats.brochure_downloads + excluded.brochure_downloads,
                    model_views = booth_daily_stats.model_views + excluded.model_views"
            ))
            .bind(exhibitor)
            .bind(day)
            .bind(add.visits)
            .bind(add.dwell_seconds)
            .bind(add.media_plays)
            .bind(add.brochure_downloads)
            .bind(add.model_views)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The rows from `first` to `last` (days as `YYYY-MM-DD`, both included), of one booth or
    /// of all, by day then booth.
    pub async fn booth_days(
        &self,
        exhibitor: Option<&str>,
        first: &str,
        last: &str,
    ) -> Result<Vec<BoothDay>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT exhibitor, day, {COUNT_COLUMNS} FROM booth_daily_stats
             WHERE ($1 IS NULL OR exhibitor = $1) AND day >= $2 AND day <= $3
             ORDER BY day, exhibitor"
        ))
        .bind(exhibitor)
        .bind(first)
        .bind(last)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| BoothDay {
                exhibitor: row.get("exhibitor"),
                day: row.get("day"),
                counts: counts_of(row),
            })
            .collect())
    }

    /// Each booth's counts summed from `first` to `last`, most visits first, at most `limit`.
    pub async fn busiest_booths(
        &self,
        first: &str,
        last: &str,
        limit: u32,
    ) -> Result<Vec<(String, Counts)>, Error> {
        let rows = sqlx::query(
            "SELECT exhibitor, CAST(sum(visits) AS BIGINT) AS visits, CAST(sum(dwell_seconds) AS BIGINT) AS dwell_seconds,
                    CAST(sum(media_plays) AS BIGINT) AS media_plays, CAST(sum(brochure_downloads) AS BIGINT) AS brochure_downloads,
                    CAST(sum(model_views) AS BIGINT) AS model_views
             FROM booth_daily_stats WHERE day >= $1 AND day <= $2
             GROUP BY exhibitor ORDER BY visits DESC, dwell_seconds DESC, exhibitor LIMIT $3",
        )
        .bind(first)
        .bind(last)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get("exhibitor"), counts_of(row)))
            .collect())
    }
}
