//! SQL of the exhibitor content tables: `exhibitor_drafts` (profile drafts),
//! `exhibitor_media` (uploads in a draft) and `submissions` (drafts sent for review), plus the
//! approval that writes a submission into `exhibitors` in one transaction.

use pavilion_model::{BoothMedia, ExhibitorProfile, MediaKind, ValidProfile};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row as _, Transaction};
use utoipa::ToSchema;

use super::{ApprovedSignage, NewAudit, Store};
use crate::error::Error;
use crate::media::{MediaStore, StoredMedia};
use crate::revision::Revision;
use crate::time::now_rfc3339;

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    Pending,
    Approved,
    Rejected,
    /// Replaced by a newer submission before anyone reviewed it.
    Superseded,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Approved => "approved",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::Superseded => "superseded",
        }
    }

    fn parse(text: &str) -> SubmissionStatus {
        match text {
            "approved" => SubmissionStatus::Approved,
            "rejected" => SubmissionStatus::Rejected,
            "superseded" => SubmissionStatus::Superseded,
            _ => SubmissionStatus::Pending,
        }
    }
}

/// A draft sent for review, frozen at the time it was sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Submission {
    pub id: i64,
    pub exhibitor: String,
    pub status: SubmissionStatus,
    pub submitted_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    /// Why staff rejected it, for the exhibitor to act on.
    pub reason: Option<String>,
    pub profile: ExhibitorProfile,
    pub media: Vec<BoothMedia>,
}

/// An exhibitor's draft as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Draft {
    pub profile: ExhibitorProfile,
    /// When the draft was last saved; `None` while it is still the approved profile.
    pub updated_at: Option<String>,
    /// The draft's version, raised by one at every save (0 before the first); the `ETag`
    /// header gives it in quotes, and writes may send it back as `If-Match`.
    #[schema(value_type = u64)]
    pub revision: Revision,
}

/// A checked, stored upload to record in a draft.
#[derive(Debug, Clone)]
pub struct NewMediaRow<'a> {
    pub stored: &'a StoredMedia,
    pub kind: MediaKind,
    pub title: &'a str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

const SUBMISSION_COLUMNS: &str =
    "id, exhibitor, status, submitted_at, decided_at, decided_by, reason, profile, media";

fn media_from_row(row: &sqlx::any::AnyRow) -> Result<BoothMedia, Error> {
    let sha256: String = row.get("sha256");
    let extension: String = row.get("extension");
    let kind: String = row.get("kind");
    let kind = MediaKind::parse(&kind)
        .ok_or_else(|| Error::Internal(format!("unknown media kind {kind} in the database")))?;
    Ok(BoothMedia {
        url: format!("/media/{sha256}.{extension}"),
        content_type: MediaStore::content_type_of(&extension)
            .unwrap_or("application/octet-stream")
            .to_owned(),
        sha256,
        kind,
        title: row.get("title"),
        byte_size: u64::try_from(row.get::<i64, _>("byte_size")).unwrap_or(0),
        width: row
            .get::<Option<i64>, _>("width")
            .and_then(|w| u32::try_from(w).ok()),
        height: row
            .get::<Option<i64>, _>("height")
            .and_then(|h| u32::try_from(h).ok()),
        product: None,
    })
}

fn submission_from_row(row: &sqlx::any::AnyRow) -> Result<Submission, Error> {
    Ok(Submission {
        id: row.get("id"),
        exhibitor: row.get("exhibitor"),
        status: SubmissionStatus::parse(row.get("status")),
        submitted_at: row.get("submitted_at"),
        decided_at: row.get("decided_at"),
        decided_by: row.get("decided_by"),
        reason: row.get("reason"),
        profile: serde_json::from_str(row.get("profile"))?,
        media: serde_json::from_str(row.get("media"))?,
    })
}

/// Records the staff decision on a submission that is still pending, inside the caller's
/// transaction; a submission another reviewer decided first is a conflict.
async fn decide(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    status: SubmissionStatus,
    reason: Option<&str>,
    audit: &NewAudit<'_>,
) -> Result<(), Error> {
    let updated = sqlx::query(
        "UPDATE submissions SET status = $1, decided_at = $2, decided_by = $3, reason = $4
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(now_rfc3339())
    .bind(&audit.who.name)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "submission {id} was decided meanwhile"
        )));
    }
    super::audit::insert(&mut **tx, audit).await
}

impl Store {
    /// The exhibitor's saved draft, when it was saved and its revision, if it has one.
    pub async fn draft(&self, slug: &str) -> Result<Option<Draft>, Error> {
        let row = sqlx::query(
            "SELECT profile, updated_at, revision FROM exhibitor_drafts WHERE exhibitor = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Draft {
                profile: serde_json::from_str(row.get("profile"))?,
                updated_at: Some(row.get("updated_at")),
                revision: Revision::from_i64(row.get("revision")),
            })
        })
        .transpose()
    }

    /// Saves a draft (already validated) over revision `base`, as one compare-and-set: the
    /// row is written only while it is still at `base` (`Revision::UNSAVED`: while there is
    /// no row). Returns the new revision and when it was saved, or `None` when someone else
    /// saved the draft since `base` was read (nothing is written then).
    pub async fn save_draft(
        &self,
        slug: &str,
        profile: &ExhibitorProfile,
        base: Revision,
    ) -> Result<Option<(Revision, String)>, Error> {
        let updated_at = now_rfc3339();
        let profile = serde_json::to_string(profile)?;
        let saved: Option<i64> = if base == Revision::UNSAVED {
            sqlx::query_scalar(
                "INSERT INTO exhibitor_drafts (exhibitor, profile, updated_at, revision)
                 VALUES ($1, $2, $3, 1)
                 ON CONFLICT (exhibitor) DO NOTHING
                 RETURNING revision",
            )
            .bind(slug)
            .bind(&profile)
            .bind(&updated_at)
            .fetch_optional(&self.pool)
            .await?
        } else {
            sqlx::query_scalar(
                "UPDATE exhibitor_drafts SET profile = $1, updated_at = $2, revision = revision + 1
                 WHERE exhibitor = $3 AND revision = $4
                 RETURNING revision",
            )
            .bind(&profile)
            .bind(&updated_at)
            .bind(slug)
            .bind(base.as_i64())
            .fetch_optional(&self.pool)
            .await?
        };
        Ok(saved.map(|revision| (Revision::from_i64(revision), updated_at)))
    }

    /// The media in an exhibitor's draft, oldest first.
    pub async fn draft_media(&self, slug: &str) -> Result<Vec<BoothMedia>, Error> {
        let rows = sqlx::query(
            "SELECT sha256, kind, extension, title, byte_size, width, height FROM exhibitor_media
             WHERE exhibitor = $1 ORDER BY created_at, sha256",
        )
        .bind(slug)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(media_from_row).collect()
    }

    pub async fn draft_media_count(&self, slug: &str) -> Result<i64, Error> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM exhibitor_media WHERE exhibitor = $1")
                .bind(slug)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Records a stored upload in the exhibitor's draft. Returns the item and whether it is
    /// new (the same bytes uploaded again keep the first record, and its title).
    pub async fn add_draft_media(
        &self,
        slug: &str,
        item: &NewMediaRow<'_>,
    ) -> Result<(BoothMedia, bool), Error> {
        let now = now_rfc3339();
        let stored = item.stored;
        let mut tx = self.pool.begin().await?;
        super::media::insert(&mut tx, std::slice::from_ref(stored), &now).await?;
        let inserted = sqlx::query(
            "INSERT INTO exhibitor_media
                (exhibitor, sha256, kind, extension, title, byte_size, width, height, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (exhibitor, sha256) DO NOTHING",
        )
        .bind(slug)
        .bind(&stored.sha256)
        .bind(item.kind.as_str())
        .bind(stored.extension)
        .bind(item.title)
        .bind(i64::try_from(stored.byte_size).unwrap_or(i64::MAX))
        .bind(item.width.map(i64::from))
        .bind(item.height.map(i64::from))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT sha256, kind, extension, title, byte_size, width, height FROM exhibitor_media
             WHERE exhibitor = $1 AND sha256 = $2",
        )
        .bind(slug)
        .bind(&stored.sha256)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((media_from_row(&row)?, inserted.rows_affected() == 1))
    }

    /// Removes a media item from a draft; false when the draft has no such item.
    pub async fn delete_draft_media(&self, slug: &str, sha256: &str) -> Result<bool, Error> {
        let deleted =
            sqlx::query("DELETE FROM exhibitor_media WHERE exhibitor = $1 AND sha256 = $2")
                .bind(slug)
                .bind(sha256)
                .execute(&self.pool)
                .await?;
        Ok(deleted.rows_affected() > 0)
    }

    /// Records a submission; a submission of the same exhibitor still waiting is superseded.
    pub async fn insert_submission(
        &self,
        slug: &str,
        profile: &ExhibitorProfile,
        media: &[BoothMedia],
    ) -> Result<i64, Error> {
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE submissions SET status = 'superseded', decided_at = $1
             WHERE exhibitor = $2 AND status = 'pending'",
        )
        .bind(&now)
        .bind(slug)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO submissions (exhibitor, profile, media, status, submitted_at)
             VALUES ($1, $2, $3, 'pending', $4) RETURNING id",
        )
        .bind(slug)
        .bind(serde_json::to_string(profile)?)
        .bind(serde_json::to_string(media)?)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn submission(&self, id: i64) -> Result<Option<Submission>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(submission_from_row).transpose()
    }

    /// The exhibitor's newest submission, if it ever sent one.
    pub async fn latest_submission(&self, slug: &str) -> Result<Option<Submission>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE exhibitor = $1 ORDER BY id DESC LIMIT 1"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(submission_from_row).transpose()
    }

    /// Submissions in one status, oldest first (the review queue is `Pending`).
    pub async fn submissions_with_status(
        &self,
        status: SubmissionStatus,
    ) -> Result<Vec<Submission>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE status = $1 ORDER BY submitted_at, id"
        ))
        .bind(status.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(submission_from_row).collect()
    }

    /// Rejects a pending submission with its reason and audit entry, in one transaction.
    pub async fn reject_submission(
        &self,
        id: i64,
        reason: &str,
        audit: &NewAudit<'_>,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        decide(&mut tx, id, SubmissionStatus::Rejected, Some(reason), audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approves a pending submission: its profile (as validated) and media become the
    /// exhibitor's approved content (marked as approved, so a catalogue re-import keeps it),
    /// with re-rendered signage when given, the decision and the audit entry, all in one
    /// transaction.
    pub async fn approve_submission(
        &self,
        submission: &Submission,
        profile: &ValidProfile,
        signage: Option<&ApprovedSignage>,
        audit: &NewAudit<'_>,
    ) -> Result<(), Error> {
        let now = now_rfc3339();
        let slug = &submission.exhibitor;
        let mut tx = self.pool.begin().await?;
        if let Some(signage) = signage {
            super::media::insert(&mut tx, &signage.stored, &now).await?;
            sqlx::query(
                "UPDATE exhibitors SET name_plate_sha256 = $1,
                    fascia_sha256 = coalesce($2, fascia_sha256) WHERE slug = $3",
            )
            .bind(&signage.name_plate)
            .bind(&signage.fascia)
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        }
        // The content is the approval's from now on: a catalogue re-import keeps it.
        sqlx::query(
            "UPDATE exhibitors SET profile = $1, media = $2, content_origin = 'approval',
                content_changed_by = $3, content_changed_at = $4
             WHERE slug = $5",
        )
        .bind(serde_json::to_string(profile)?)
        .bind(serde_json::to_string(&submission.media)?)
        .bind(&audit.who.name)
        .bind(&now)
        .bind(slug)
        .execute(&mut *tx)
        .await?;
        decide(
            &mut tx,
            submission.id,
            SubmissionStatus::Approved,
            None,
            audit,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
