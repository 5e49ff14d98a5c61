//! SQL of the `media` table: every stored file the database refers to, by content hash, and
//! the questions the storage sweep and media visibility ask about who refers to a file.

use std::collections::HashSet;

use sqlx::{Any, Row as _, Transaction};

use super::Store;
use crate::error::Error;
use crate::media::StoredMedia;
use crate::media::store::media_hashes_in;

/// Records stored files inside the caller's transaction; a file recorded already is kept.
pub(super) async fn insert(
    tx: &mut Transaction<'_, Any>,
    media: &[StoredMedia],
    now: &str,
) -> Result<(), Error> {
    for item in media {
        sqlx::query(
            "INSERT INTO media (sha256, content_type, byte_size, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&item.sha256)
        .bind(item.content_type)
        .bind(i64::try_from(item.byte_size).unwrap_or(i64::MAX))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A `media` row as the sweep sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRow {
    pub sha256: String,
    pub created_at: String,
}

/// The statement that deletes one media row only while nothing refers to it: not a snapshot
/// (hall or programme), not an exhibitor's signage or approved media, not a draft, not a
/// submission, not the programme draft (its sessions' recordings). Checked in
/// the statement itself, so an upload or publish racing the sweep keeps its file.
const DELETE_IF_UNREFERENCED: &str = "DELETE FROM media WHERE sha256 = $1 AND created_at < $2
    AND NOT EXISTS (SELECT 1 FROM exhibitor_media WHERE sha256 = $1)
    AND NOT EXISTS (SELECT 1 FROM exhibitors WHERE logo_sha256 = $1 OR fascia_sha256 = $1
        OR name_plate_sha256 = $1 OR instr(media, $1) > 0)
    AND NOT EXISTS (SELECT 1 FROM submissions WHERE instr(media, $1) > 0)
    AND NOT EXISTS (SELECT 1 FROM snapshots WHERE instr(document, $1) > 0 OR instr(details, $1) > 0
        OR instr(programme, $1) > 0)
    AND NOT EXISTS (SELECT 1 FROM programme_draft WHERE instr(document, $1) > 0)";

impl Store {
    /// Every media hash something refers to: each snapshot (published or not, so a rollback
    /// finds its files) with its programme, the programme draft, each exhibitor's signage and
    /// approved media, each draft's media and each submission's media.
    pub async fn referenced_media(&self) -> Result<HashSet<String>, Error> {
        let mut referenced = HashSet::new();
        let mut conn = self.pool.acquire().await?;
        let signage = sqlx::query(
            "SELECT logo_sha256, fascia_sha256, name_plate_sha256, media FROM exhibitors",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in signage {
            for column in ["logo_sha256", "fascia_sha256", "name_plate_sha256"] {
                referenced.insert(row.get::<String, _>(column));
            }
            referenced.extend(media_hashes_in(row.get("media")).map(str::to_owned));
        }
        let drafts: Vec<String> = sqlx::query_scalar("SELECT DISTINCT sha256 FROM exhibitor_media")
            .fetch_all(&mut *conn)
            .await?;
        referenced.extend(drafts);
        let submissions: Vec<String> = sqlx::query_scalar("SELECT media FROM submissions")
            .fetch_all(&mut *conn)
            .await?;
        for media in &submissions {
            referenced.extend(media_hashes_in(media).map(str::to_owned));
        }
        // One snapshot at a time: there may be many, each a few hundred KiB.
        let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM snapshots")
            .fetch_all(&mut *conn)
            .await?;
        for version in versions {
            let row = sqlx::query(
                "SELECT document, details, programme FROM snapshots WHERE version = $1",
            )
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(row) = row {
                referenced.extend(media_hashes_in(row.get("document")).map(str::to_owned));
                referenced.extend(media_hashes_in(row.get("details")).map(str::to_owned));
                let programme: Option<String> = row.get("programme");
                referenced
                    .extend(media_hashes_in(programme.as_deref().unwrap_or("")).map(str::to_owned));
            }
        }
        let programme: Option<String> =
            sqlx::query_scalar("SELECT document FROM programme_draft WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await?;
        referenced.extend(media_hashes_in(programme.as_deref().unwrap_or("")).map(str::to_owned));
        Ok(referenced)
    }

    /// Every `media` row.
    pub async fn media_rows(&self) -> Result<Vec<MediaRow>, Error> {
        let rows = sqlx::query("SELECT sha256, created_at FROM media")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| MediaRow {
                sha256: row.get("sha256"),
                created_at: row.get("created_at"),
            })
            .collect())
    }

    /// Deletes the rows of `candidates` created before `created_before` that nothing refers
    /// to (re-checked in the statement); returns the hashes deleted.
    pub async fn delete_unreferenced_media(
        &self,
        candidates: &[String],
        created_before: &str,
    ) -> Result<Vec<String>, Error> {
        let mut deleted = Vec::new();
        for sha256 in candidates {
            let done = sqlx::query(DELETE_IF_UNREFERENCED)
                .bind(sha256)
                .bind(created_before)
                .execute(&self.pool)
                .await?;
            if done.rows_affected() > 0 {
                deleted.push(sha256.clone());
            }
        }
        Ok(deleted)
    }

    /// True when the exhibitor's draft, approved media or signage names the file.
    pub async fn exhibitor_refers_to_media(&self, slug: &str, sha256: &str) -> Result<bool, Error> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM exhibitor_media WHERE exhibitor = $1 AND sha256 = $2
             UNION ALL
             SELECT 1 FROM exhibitors WHERE slug = $1 AND (logo_sha256 = $2 OR fascia_sha256 = $2
                OR name_plate_sha256 = $2 OR instr(media, $2) > 0)
             LIMIT 1",
        )
        .bind(slug)
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}
