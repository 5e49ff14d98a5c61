//! SQL for backups and data checks: a consistent copy of the whole database with
//! `VACUUM INTO` (safe while a server writes: it reads one snapshot of the WAL), the media
//! rows with their kinds and sizes, and the row counts a backup manifest records.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::Store;
use crate::error::Error;

/// One `media` row as a backup or a data check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaItem {
    pub sha256: String,
    pub content_type: String,
    pub byte_size: u64,
}

/// How many rows the tables a restore must bring back hold, and the published version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCounts {
    pub exhibitors: i64,
    pub media: i64,
    pub snapshots: i64,
    pub drafts: i64,
    pub draft_media: i64,
    pub submissions: i64,
    pub staff: i64,
    pub tokens: i64,
    pub audit_entries: i64,
    /// The version visitors see (0 when nothing is published).
    pub published_version: i64,
}

impl Store {
    /// Writes a consistent copy of the database to `target` (which must not exist). Readers
    /// and writers of this store carry on meanwhile; the copy is one point in time.
    pub async fn vacuum_into(&self, target: &Path) -> Result<(), Error> {
        let target = target.to_str().ok_or_else(|| {
            Error::BadRequest(format!("{} is not a UTF-8 path", target.display()))
        })?;
        self.require_sqlite("a backup")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every `media` row with its content type and size, by hash.
    pub async fn media_inventory(&self) -> Result<Vec<MediaItem>, Error> {
        let rows = sqlx::query("SELECT sha256, content_type, byte_size FROM media ORDER BY sha256")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| MediaItem {
                sha256: row.get("sha256"),
                content_type: row.get("content_type"),
                byte_size: u64::try_from(row.get::<i64, _>("byte_size")).unwrap_or(0),
            })
            .collect())
    }

    /// Deletes the `media` row of a file that vanished, only while nothing refers to it
    /// (the same re-checking statement as the sweep). True when it was deleted.
    pub async fn forget_unreferenced_media(&self, sha256: &str) -> Result<bool, Error> {
        let deleted = self
            .delete_unreferenced_media(&[sha256.to_owned()], "9999-12-31T23:59:59Z")
            .await?;
        Ok(!deleted.is_empty())
    }

    /// The row counts and published version a backup manifest records.
    pub async fn backup_counts(&self) -> Result<BackupCounts, Error> {
        let pool = &self.pool;
        let count = |table: &'static str| async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(pool)
                .await
        };
        Ok(BackupCounts {
            exhibitors: count("exhibitors").await?,
            media: count("media").await?,
            snapshots: count("snapshots").await?,
            drafts: count("exhibitor_drafts").await?,
            draft_media: count("exhibitor_media").await?,
            submissions: count("submissions").await?,
            staff: count("staff").await?,
            tokens: count("exhibitor_tokens").await?,
            audit_entries: count("audit_log").await?,
            published_version: count_published(&self.pool).await?,
        })
    }
}

async fn count_published(pool: &sqlx::AnyPool) -> Result<i64, Error> {
    let version: Option<i64> = sqlx::query_scalar("SELECT version FROM published LIMIT 1")
        .fetch_optional(pool)
        .await?;
    Ok(version.unwrap_or(0))
}
