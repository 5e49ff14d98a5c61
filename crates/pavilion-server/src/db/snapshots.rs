//! SQL of the `snapshots` and `published` tables: immutable published hall documents and the
//! one pointer naming the live version.

use std::collections::HashMap;

use pavilion_model::BoothMedia;
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row as _;

use super::{ExhibitorRecord, LayoutDraft, NewAudit, Store};
use crate::error::Error;
use crate::media::StoredMedia;

/// A snapshot as stored.
#[derive(Debug, Clone)]
pub struct StoredSnapshot {
    pub version: u64,
    pub document: String,
    pub details: String,
    /// The `Programme` published with the hall, as JSON; none for versions published before
    /// programmes existed or while there was no programme draft.
    pub programme: Option<String>,
    /// The contest's question sets published with the hall, as a JSON array; none for
    /// versions published before sets were published.
    pub contest: Option<String>,
}

/// One published version as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionInfo {
    pub version: u64,
    pub published_at: String,
    /// True for the version visitors see now.
    pub live: bool,
    pub halls: i64,
    pub booths: i64,
    /// Size of the snapshot document in bytes.
    pub bytes: i64,
    /// Who published it (absent for versions published at start-up or by an import).
    pub published_by: Option<String>,
}

/// What a publish reads, all from one read transaction.
#[derive(Debug)]
pub struct PublishInputs {
    pub draft: Option<LayoutDraft>,
    pub programme: Option<super::ProgrammeDraft>,
    pub exhibitors: Vec<ExhibitorRecord>,
    pub media: HashMap<String, Vec<BoothMedia>>,
    pub latest_version: u64,
    /// Every saved question set, by id.
    pub contest_sets: Vec<pavilion_model::QuestionSet>,
    /// The ids of the sets somebody has played.
    pub played_sets: std::collections::HashSet<String>,
    /// The sets of the live version, as stored (none before the first publish, or for a
    /// version published before sets were published).
    pub live_contest: Option<String>,
}

async fn read_latest_version(conn: &mut AnyConnection) -> Result<u64, Error> {
    let version: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM snapshots")
        .fetch_one(&mut *conn)
        .await?;
    Ok(version.unwrap_or(0).try_into().unwrap_or(0))
}

fn version_param(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(-1)
}

impl Store {
    /// The highest snapshot version ever written (0 when none).
    pub async fn latest_version(&self) -> Result<u64, Error> {
        read_latest_version(&mut *self.pool.acquire().await?).await
    }

    /// Everything a publish reads (the layout draft, every exhibitor, their approved media
    /// and the last version number) from one read transaction: one consistent state of the
    /// store, even while approvals or edits commit meanwhile.
    pub async fn publish_inputs(&self) -> Result<PublishInputs, Error> {
        let mut tx = self.begin_read_snapshot().await?;
        let draft = super::layout::read_draft(&mut tx).await?;
        let programme = super::programme::read_draft(&mut tx).await?;
        let exhibitors = super::exhibitors::read_all(&mut tx).await?;
        let media = super::exhibitors::read_approved_media(&mut tx).await?;
        let latest_version = read_latest_version(&mut tx).await?;
        let contest_sets = super::contest::read_sets(&mut tx).await?;
        let played_sets = super::contest::read_played_sets(&mut tx).await?;
        let live_contest: Option<String> = sqlx::query_scalar(
            "SELECT s.contest FROM published p JOIN snapshots s ON s.version = p.version
             WHERE p.id = 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        tx.commit().await?;
        Ok(PublishInputs {
            draft,
            programme,
            exhibitors,
            media,
            latest_version,
            contest_sets,
            played_sets,
            live_contest,
        })
    }

    /// Writes a snapshot and points `published` at it in one transaction (with the audit
    /// entry of the staff member who published, if any), so readers see either the old hall
    /// or the new one, never a mix.
    pub async fn publish(
        &self,
        media: &[StoredMedia],
        snapshot: &StoredSnapshot,
        published_at: &str,
        audit: Option<&NewAudit<'_>>,
    ) -> Result<(), Error> {
        let version = i64::try_from(snapshot.version)
            .map_err(|_| Error::Internal("snapshot version overflow".into()))?;
        let mut tx = self.pool.begin().await?;
        super::media::insert(&mut tx, media, published_at).await?;
        sqlx::query(
            "INSERT INTO snapshots (version, published_at, document, details, programme, contest)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(version)
        .bind(published_at)
        .bind(&snapshot.document)
        .bind(&snapshot.details)
        .bind(&snapshot.programme)
        .bind(&snapshot.contest)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO published (id, version) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        )
        .bind(version)
        .execute(&mut *tx)
        .await?;
        self.notify_published(&mut tx, version).await?;
        if let Some(entry) = audit {
            super::audit::insert(&mut *tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The snapshot the `published` pointer names, if any.
    pub async fn published(&self) -> Result<Option<StoredSnapshot>, Error> {
        let row = sqlx::query(
            "SELECT s.version, s.document, s.details, s.programme, s.contest
             FROM published p JOIN snapshots s ON s.version = p.version
             WHERE p.id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| StoredSnapshot {
            version: row.get::<i64, _>("version").try_into().unwrap_or(0),
            document: row.get("document"),
            details: row.get("details"),
            programme: row.get("programme"),
            contest: row.get("contest"),
        }))
    }

    /// One stored snapshot, byte for byte.
    pub async fn snapshot(&self, version: u64) -> Result<Option<StoredSnapshot>, Error> {
        let row = sqlx::query(
            "SELECT document, details, programme, contest FROM snapshots WHERE version = $1",
        )
        .bind(version_param(version))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| StoredSnapshot {
            version,
            document: row.get("document"),
            details: row.get("details"),
            programme: row.get("programme"),
            contest: row.get("contest"),
        }))
    }

    /// Every version, newest first.
    pub async fn versions(&self) -> Result<Vec<VersionInfo>, Error> {
        let rows = sqlx::query(
            "SELECT s.version, s.published_at,
                    CASE WHEN s.version = (SELECT version FROM published WHERE id = 1)
                         THEN 1 ELSE 0 END AS live,
                    json_array_length(s.document, '$.halls') AS halls,
                    json_array_length(s.document, '$.exhibitors') AS booths,
                    octet_length(s.document) AS bytes,
                    (SELECT staff_name FROM audit_log a
                     WHERE a.action = 'publish' AND a.target = 'version ' || s.version
                     ORDER BY a.id LIMIT 1) AS published_by
             FROM snapshots s ORDER BY s.version DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| VersionInfo {
                version: row.get::<i64, _>("version").try_into().unwrap_or(0),
                published_at: row.get("published_at"),
                live: row.get::<i64, _>("live") != 0,
                halls: row.get::<Option<i64>, _>("halls").unwrap_or(0),
                booths: row.get::<Option<i64>, _>("booths").unwrap_or(0),
                bytes: row.get("bytes"),
                published_by: row.get("published_by"),
            })
            .collect())
    }

    /// Points `published` at an existing version, with its audit entry, in one transaction.
    pub async fn point_published_at(
        &self,
        version: u64,
        audit: &NewAudit<'_>,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE published SET version = $1 WHERE id = 1")
            .bind(version_param(version))
            .execute(&mut *tx)
            .await?;
        self.notify_published(&mut tx, version_param(version))
            .await?;
        super::audit::insert(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
