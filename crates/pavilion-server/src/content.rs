//! Exhibitor content between the exhibitor and the visitor: profile drafts, uploaded media,
//! submissions waiting for review, and the approval that writes a submission into the
//! `exhibitors` table, which the next publish reads.

use std::collections::HashMap;
use std::path::Path;

use pavilion_model::snapshot::parse_hex_colour;
use pavilion_model::{BoothMedia, ExhibitorProfile, FieldError, MediaKind};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use utoipa::ToSchema;

use crate::audit;
use crate::auth::staff::StaffSession;
use crate::catalogue::LOGO_FILE;
use crate::error::Error;
use crate::render::Renderer;
use crate::state::AppState;
use crate::store::Store;
use crate::time::now_rfc3339;
use crate::upload::Ingested;

/// The most media one booth may hold in its draft.
pub const MAX_MEDIA_PER_BOOTH: i64 = 30;
/// Captions are one line of plain text.
pub const MAX_TITLE_CHARS: usize = 120;
/// A rejection reason is plain text the exhibitor reads.
pub const MAX_REASON_CHARS: usize = 2000;

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
}

/// The profile visitors see at the next publish (the approved one).
pub async fn approved_profile(store: &Store, slug: &str) -> Result<ExhibitorProfile, Error> {
    let profile: String = sqlx::query_scalar("SELECT profile FROM exhibitors WHERE slug = ?")
        .bind(slug)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no exhibitor {slug}")))?;
    Ok(serde_json::from_str(&profile)?)
}

/// The exhibitor's draft, or its approved profile when it has not edited anything yet.
pub async fn draft(store: &Store, slug: &str) -> Result<Draft, Error> {
    let row = sqlx::query("SELECT profile, updated_at FROM exhibitor_drafts WHERE exhibitor = ?")
        .bind(slug)
        .fetch_optional(store.pool())
        .await?;
    match row {
        Some(row) => Ok(Draft {
            profile: serde_json::from_str(row.get("profile"))?,
            updated_at: Some(row.get("updated_at")),
        }),
        None => Ok(Draft {
            profile: approved_profile(store, slug).await?,
            updated_at: None,
        }),
    }
}

/// Every rule a draft must meet: the catalogue's validation, plus the fields only staff
/// change (the slug names the booth; topic and tier decide where it stands and how big it is).
pub fn check_profile(approved: &ExhibitorProfile, candidate: &ExhibitorProfile) -> Vec<FieldError> {
    let mut errors = candidate.validate();
    let fixed = [
        ("slug", &approved.slug, &candidate.slug),
        ("topic", &approved.topic, &candidate.topic),
        ("tier", &approved.tier, &candidate.tier),
    ];
    for (field, was, now) in fixed {
        if was != now {
            errors.retain(|e| e.field != field);
            errors.push(FieldError {
                field: field.to_owned(),
                message: format!(
                    "is set by the organisers ({was:?}); ask staff to change it, and send {was:?} here"
                ),
            });
        }
    }
    errors
}

/// Validates and saves a draft; nothing is saved when any field is wrong.
pub async fn save_draft(
    store: &Store,
    slug: &str,
    profile: &ExhibitorProfile,
) -> Result<Draft, Error> {
    let approved = approved_profile(store, slug).await?;
    let errors = check_profile(&approved, profile);
    if !errors.is_empty() {
        return Err(Error::InvalidFields(errors));
    }
    let updated_at = now_rfc3339();
    sqlx::query(
        "INSERT INTO exhibitor_drafts (exhibitor, profile, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (exhibitor) DO UPDATE SET
            profile = excluded.profile, updated_at = excluded.updated_at",
    )
    .bind(slug)
    .bind(serde_json::to_string(profile)?)
    .bind(&updated_at)
    .execute(store.pool())
    .await?;
    Ok(Draft {
        profile: profile.clone(),
        updated_at: Some(updated_at),
    })
}

/// Merges a JSON object into the draft (RFC 7396 merge patch), then validates and saves.
pub async fn patch_draft(
    store: &Store,
    slug: &str,
    patch: serde_json::Value,
) -> Result<Draft, Error> {
    if !patch.is_object() {
        return Err(Error::BadRequest(
            "a profile patch is a JSON object of the fields to change".into(),
        ));
    }
    let current = draft(store, slug).await?;
    let mut merged = serde_json::to_value(&current.profile)?;
    merge_patch(&mut merged, patch);
    let profile: ExhibitorProfile = serde_json::from_value(merged).map_err(|error| {
        Error::BadRequest(format!("the patched profile is not readable: {error}"))
    })?;
    save_draft(store, slug, &profile).await
}

fn merge_patch(target: &mut serde_json::Value, patch: serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(target), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge_patch(target.entry(key).or_insert(serde_json::Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

/// Checks a caption: one line of plain text.
pub fn check_title(title: &str) -> Result<String, Error> {
    let title = title.trim();
    if title.chars().count() > MAX_TITLE_CHARS
        || title.chars().any(char::is_control)
        || (title.contains('<') && title.contains('>'))
    {
        return Err(Error::InvalidFields(vec![FieldError {
            field: "title".into(),
            message: format!(
                "must be one line of plain text, at most {MAX_TITLE_CHARS} characters"
            ),
        }]));
    }
    Ok(title.to_owned())
}

fn media_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<BoothMedia, Error> {
    let sha256: String = row.get("sha256");
    let extension: String = row.get("extension");
    let kind: String = row.get("kind");
    let kind = MediaKind::parse(&kind)
        .ok_or_else(|| Error::Io(std::io::Error::other(format!("unknown media kind {kind}"))))?;
    Ok(BoothMedia {
        url: format!("/media/{sha256}.{extension}"),
        content_type: crate::media::MediaStore::content_type_of(&extension)
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

/// The media in an exhibitor's draft, oldest first.
pub async fn list_media(store: &Store, slug: &str) -> Result<Vec<BoothMedia>, Error> {
    let rows = sqlx::query(
        "SELECT sha256, kind, extension, title, byte_size, width, height FROM exhibitor_media
         WHERE exhibitor = ? ORDER BY created_at, sha256",
    )
    .bind(slug)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(media_from_row).collect()
}

/// Refuses an upload before it streams when the booth holds as much media as it may.
pub async fn check_room_for_media(store: &Store, slug: &str) -> Result<(), Error> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM exhibitor_media WHERE exhibitor = ?")
        .bind(slug)
        .fetch_one(store.pool())
        .await?;
    if count >= MAX_MEDIA_PER_BOOTH {
        return Err(Error::Conflict(format!(
            "a booth holds at most {MAX_MEDIA_PER_BOOTH} media files; delete one first"
        )));
    }
    Ok(())
}

/// Records a stored upload in the exhibitor's draft. Returns the item and whether it is new
/// (the same bytes uploaded again keep the first record, and its title).
pub async fn add_media(
    store: &Store,
    slug: &str,
    ingested: &Ingested,
    title: &str,
) -> Result<(BoothMedia, bool), Error> {
    let now = now_rfc3339();
    let stored = &ingested.stored;
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "INSERT INTO media (sha256, content_type, byte_size, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&stored.sha256)
    .bind(stored.content_type)
    .bind(i64::try_from(stored.byte_size).unwrap_or(i64::MAX))
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO exhibitor_media
            (exhibitor, sha256, kind, extension, title, byte_size, width, height, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (exhibitor, sha256) DO NOTHING",
    )
    .bind(slug)
    .bind(&stored.sha256)
    .bind(ingested.kind.as_str())
    .bind(stored.extension)
    .bind(title)
    .bind(i64::try_from(stored.byte_size).unwrap_or(i64::MAX))
    .bind(ingested.width.map(i64::from))
    .bind(ingested.height.map(i64::from))
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(
        "SELECT sha256, kind, extension, title, byte_size, width, height FROM exhibitor_media
         WHERE exhibitor = ? AND sha256 = ?",
    )
    .bind(slug)
    .bind(&stored.sha256)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((media_from_row(&row)?, inserted.rows_affected() == 1))
}

/// Removes a media item from the draft. The stored file stays: it is content-addressed and
/// may be part of a published snapshot.
pub async fn delete_media(store: &Store, slug: &str, sha256: &str) -> Result<(), Error> {
    let deleted = sqlx::query("DELETE FROM exhibitor_media WHERE exhibitor = ? AND sha256 = ?")
        .bind(slug)
        .bind(sha256)
        .execute(store.pool())
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(Error::not_found("your booth has no such media"));
    }
    Ok(())
}

fn submission_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Submission, Error> {
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

const SUBMISSION_COLUMNS: &str =
    "id, exhibitor, status, submitted_at, decided_at, decided_by, reason, profile, media";

/// Sends the current draft for review; a submission still waiting is superseded by it.
pub async fn submit(store: &Store, slug: &str) -> Result<Submission, Error> {
    let current = draft(store, slug).await?;
    let approved = approved_profile(store, slug).await?;
    let errors = check_profile(&approved, &current.profile);
    if !errors.is_empty() {
        return Err(Error::InvalidFields(errors));
    }
    let media = list_media(store, slug).await?;
    let now = now_rfc3339();
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "UPDATE submissions SET status = 'superseded', decided_at = ?
         WHERE exhibitor = ? AND status = 'pending'",
    )
    .bind(&now)
    .bind(slug)
    .execute(&mut *tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO submissions (exhibitor, profile, media, status, submitted_at)
         VALUES (?, ?, ?, 'pending', ?)",
    )
    .bind(slug)
    .bind(serde_json::to_string(&current.profile)?)
    .bind(serde_json::to_string(&media)?)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    submission(store, inserted.last_insert_rowid()).await
}

pub async fn submission(store: &Store, id: i64) -> Result<Submission, Error> {
    let row = sqlx::query(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| Error::not_found(format!("there is no submission {id}")))?;
    submission_from_row(&row)
}

/// The exhibitor's newest submission, if it ever sent one.
pub async fn latest_submission(store: &Store, slug: &str) -> Result<Option<Submission>, Error> {
    let row = sqlx::query(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE exhibitor = ? ORDER BY id DESC LIMIT 1"
    ))
    .bind(slug)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(submission_from_row).transpose()
}

/// Submissions in one status, oldest first (the review queue is `Pending`).
pub async fn submissions_with_status(
    store: &Store,
    status: SubmissionStatus,
) -> Result<Vec<Submission>, Error> {
    let status = serde_json::to_value(status)?;
    let rows = sqlx::query(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE status = ? ORDER BY submitted_at, id"
    ))
    .bind(status.as_str().unwrap_or("pending"))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(submission_from_row).collect()
}

async fn pending_submission(store: &Store, id: i64) -> Result<Submission, Error> {
    let found = submission(store, id).await?;
    if found.status != SubmissionStatus::Pending {
        return Err(Error::Conflict(format!(
            "submission {id} is {}, not waiting for review",
            serde_json::to_value(found.status)?
                .as_str()
                .unwrap_or("decided")
        )));
    }
    Ok(found)
}

/// Rejects a waiting submission with a reason the exhibitor will read.
pub async fn reject(
    store: &Store,
    id: i64,
    staff: &StaffSession,
    reason: &str,
) -> Result<Submission, Error> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::InvalidFields(vec![FieldError {
            field: "reason".into(),
            message: format!(
                "say why, in 1 to {MAX_REASON_CHARS} characters, so the exhibitor can fix it"
            ),
        }]));
    }
    let found = pending_submission(store, id).await?;
    let mut tx = store.pool().begin().await?;
    decide(&mut tx, id, "rejected", Some(reason), staff, &now_rfc3339()).await?;
    audit::record(
        &mut *tx,
        staff,
        "reject_submission",
        &found.exhibitor,
        serde_json::json!({ "submission": id, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    submission(store, id).await
}

/// Records the staff decision on a submission that is still pending, inside the caller's
/// transaction; a submission another reviewer decided first is a conflict.
async fn decide(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    id: i64,
    status: &str,
    reason: Option<&str>,
    staff: &StaffSession,
    when: &str,
) -> Result<(), Error> {
    let updated = sqlx::query(
        "UPDATE submissions SET status = ?, decided_at = ?, decided_by = ?, reason = ?
         WHERE id = ? AND status = 'pending'",
    )
    .bind(status)
    .bind(when)
    .bind(&staff.name)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "submission {id} was decided meanwhile"
        )));
    }
    Ok(())
}

/// Approves a waiting submission: its profile and media become the exhibitor's approved
/// content (re-rendering the fascia and name plate when their text or colour changed),
/// which visitors see from the next publish on.
pub async fn approve(state: &AppState, id: i64, staff: &StaffSession) -> Result<Submission, Error> {
    let store = state.store();
    let found = pending_submission(store, id).await?;
    let slug = found.exhibitor.clone();
    let approved = approved_profile(store, &slug).await?;
    let profile = found.profile.clone();
    let errors = check_profile(&approved, &profile);
    if !errors.is_empty() {
        return Err(Error::InvalidFields(errors));
    }
    let needs_render = approved.name != profile.name
        || approved.tagline != profile.tagline
        || approved.colour != profile.colour;
    let rendered = if needs_render {
        let renderer = state.renderer().clone();
        let media = state.media().clone();
        let logo_path = state.catalogue_dir().join(&slug).join(LOGO_FILE);
        let profile = profile.clone();
        Some(
            tokio::task::spawn_blocking(move || {
                render_signage(&renderer, &media, &logo_path, &profile)
            })
            .await??,
        )
    } else {
        None
    };

    let now = now_rfc3339();
    let mut tx = store.pool().begin().await?;
    if let Some(rendered) = &rendered {
        for item in &rendered.stored {
            sqlx::query(
                "INSERT INTO media (sha256, content_type, byte_size, created_at)
                 VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&item.sha256)
            .bind(item.content_type)
            .bind(i64::try_from(item.byte_size).unwrap_or(i64::MAX))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE exhibitors SET name_plate_sha256 = ?,
                fascia_sha256 = coalesce(?, fascia_sha256) WHERE slug = ?",
        )
        .bind(&rendered.name_plate)
        .bind(&rendered.fascia)
        .bind(&slug)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE exhibitors SET profile = ?, media = ? WHERE slug = ?")
        .bind(serde_json::to_string(&profile)?)
        .bind(serde_json::to_string(&found.media)?)
        .bind(&slug)
        .execute(&mut *tx)
        .await?;
    decide(&mut tx, id, "approved", None, staff, &now).await?;
    audit::record(
        &mut *tx,
        staff,
        "approve_submission",
        &slug,
        serde_json::json!({ "submission": id, "media": found.media.len() }),
    )
    .await?;
    tx.commit().await?;
    submission(store, id).await
}

/// Signage re-rendered for an approved profile.
struct Signage {
    name_plate: String,
    /// `None` when the logo source is not at hand: the old fascia stays.
    fascia: Option<String>,
    stored: Vec<crate::media::StoredMedia>,
}

fn render_signage(
    renderer: &Renderer,
    media: &crate::media::MediaStore,
    logo_path: &Path,
    profile: &ExhibitorProfile,
) -> Result<Signage, Error> {
    let colour = parse_hex_colour(&profile.colour)
        .ok_or_else(|| Error::BadRequest("the colour was not checked".into()))?;
    let render_error = |what: &str| {
        let what = what.to_owned();
        move |source| Error::Render { what, source }
    };
    let name_plate = renderer
        .name_plate_png(&profile.name, colour)
        .map_err(render_error("the name plate"))?;
    let mut stored = vec![media.put(&name_plate, "png")?];
    let fascia = match std::fs::read(logo_path) {
        Ok(svg) => {
            let logo = renderer
                .parse_logo(&svg)
                .map_err(render_error("the logo"))?;
            let png = renderer
                .fascia_png(&logo, &profile.tagline, colour)
                .map_err(render_error("the fascia"))?;
            let item = media.put(&png, "png")?;
            let sha = item.sha256.clone();
            stored.push(item);
            Some(sha)
        }
        Err(error) => {
            tracing::warn!(%error, path = %logo_path.display(), "no logo source: the fascia keeps its old tagline");
            None
        }
    };
    Ok(Signage {
        name_plate: stored[0].sha256.clone(),
        fascia,
        stored,
    })
}

/// The approved media of every booth, for the publish step.
pub async fn approved_media(store: &Store) -> Result<HashMap<String, Vec<BoothMedia>>, Error> {
    let rows = sqlx::query("SELECT slug, media FROM exhibitors")
        .fetch_all(store.pool())
        .await?;
    rows.into_iter()
        .map(|row| {
            let media: Vec<BoothMedia> = serde_json::from_str(row.get("media"))?;
            Ok((row.get::<String, _>("slug"), media))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_replaces_removes_and_recurses() {
        let mut target = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        merge_patch(
            &mut target,
            serde_json::json!({"a": 9, "b": {"c": null}, "e": [2, 3]}),
        );
        assert_eq!(
            target,
            serde_json::json!({"a": 9, "b": {"d": 3}, "e": [2, 3]})
        );
    }

    #[test]
    fn titles_are_one_line_of_plain_text() {
        assert_eq!(check_title("  Booth at night ").unwrap(), "Booth at night");
        assert!(check_title("<b>bold</b>").is_err());
        assert!(check_title("two\nlines").is_err());
        assert!(check_title(&"x".repeat(121)).is_err());
    }
}
