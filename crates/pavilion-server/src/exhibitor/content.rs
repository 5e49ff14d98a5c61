//! Exhibitor content on its way to visitors: profile drafts, uploaded media in a draft, and
//! submission of a draft for review. Staff decisions on submissions are in `review`.

use pavilion_model::text::{FORMAT_CHARACTER_MESSAGE, find_format_character};
use pavilion_model::{BoothMedia, ExhibitorProfile, FieldError, ValidProfile};

pub use crate::db::{Draft, Submission, SubmissionStatus};
use crate::db::{NewMediaRow, Store};
use crate::error::Error;
use crate::error::UploadError;
use crate::exhibitor::tokens::ExhibitorAuth;
use crate::media::CheckBudget;
use crate::media::ingest::{self, IngestContext, Ingested};
use crate::media::render::Renderer;
use crate::media::store::MediaStore;
use crate::revision::{self, IfMatch, Revision};
use crate::storage::UploadGate;
use crate::storage::quota::Reservation;

/// The most media one booth may hold in its draft.
pub const MAX_MEDIA_PER_BOOTH: i64 = 30;
/// Captions are one line of plain text.
pub const MAX_TITLE_CHARS: usize = 120;

/// The profile visitors see at the next publish (the approved one).
pub async fn approved_profile(store: &Store, slug: &str) -> Result<ValidProfile, Error> {
    store
        .approved_profile(slug)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no exhibitor {slug}")))
}

/// The exhibitor's draft, or its approved profile when it has not edited anything yet.
pub async fn draft(store: &Store, slug: &str) -> Result<Draft, Error> {
    match store.draft(slug).await? {
        Some(draft) => Ok(draft),
        None => Ok(Draft {
            profile: approved_profile(store, slug).await?.into(),
            updated_at: None,
            revision: Revision::UNSAVED,
        }),
    }
}

/// Every rule a draft must meet: the catalogue's validation, plus the fields only staff
/// change (the slug names the booth; topic and tier decide where it stands and how big it is).
/// Returns the draft as validated, or every problem.
pub fn check_profile(
    approved: &ValidProfile,
    candidate: &ExhibitorProfile,
) -> Result<ValidProfile, Vec<FieldError>> {
    let (valid, mut errors) = match candidate.validate() {
        Ok(valid) => (Some(valid), Vec::new()),
        Err(errors) => (None, errors),
    };
    let fixed = [
        ("slug", approved.slug().as_str(), candidate.slug.as_str()),
        ("topic", approved.topic().slug(), candidate.topic.as_str()),
        ("tier", approved.tier().slug(), candidate.tier.as_str()),
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
    match valid {
        Some(valid) if errors.is_empty() => Ok(valid),
        _ => Err(errors),
    }
}

/// How often an edit without a precondition is read and applied again when other saves keep
/// landing between its read and its write.
const EDIT_ATTEMPTS: usize = 8;

/// Changes the draft with `change`, validates the result and saves it. Nothing is saved when
/// any field is wrong.
///
/// The save is a compare-and-set on the revision the change was made to, so two edits made at
/// once never lose one: with a `precondition` (the `If-Match` the client sent), an edit of a
/// version that is no longer current is refused with [`Error::StaleVersion`]; without one,
/// an edit that lost the race is read again, changed again and saved over the winner.
pub async fn edit_draft(
    store: &Store,
    slug: &str,
    precondition: Option<&IfMatch>,
    mut change: impl FnMut(&mut ExhibitorProfile) -> Result<(), Error>,
) -> Result<Draft, Error> {
    let approved = approved_profile(store, slug).await?;
    for _ in 0..EDIT_ATTEMPTS {
        let current = draft(store, slug).await?;
        revision::check(precondition, current.revision)
            .map_err(|current| Error::StaleVersion { current })?;
        let mut profile = current.profile;
        change(&mut profile)?;
        check_profile(&approved, &profile).map_err(Error::InvalidFields)?;
        if let Some((revision, updated_at)) =
            store.save_draft(slug, &profile, current.revision).await?
        {
            return Ok(Draft {
                profile,
                updated_at: Some(updated_at),
                revision,
            });
        }
        // Saved by someone else between the read and the write: read the winner and retry
        // (the precondition, when there is one, now refuses).
    }
    Err(Error::Conflict(
        "the draft is being changed by several requests at once; try again".into(),
    ))
}

/// Validates and saves a whole draft; nothing is saved when any field is wrong.
pub async fn save_draft(
    store: &Store,
    slug: &str,
    precondition: Option<&IfMatch>,
    profile: &ExhibitorProfile,
) -> Result<Draft, Error> {
    edit_draft(store, slug, precondition, |draft| {
        draft.clone_from(profile);
        Ok(())
    })
    .await
}

/// Merges a JSON object into the draft (RFC 7396 merge patch), then validates and saves.
pub async fn patch_draft(
    store: &Store,
    slug: &str,
    precondition: Option<&IfMatch>,
    patch: serde_json::Value,
) -> Result<Draft, Error> {
    if !patch.is_object() {
        return Err(Error::BadRequest(
            "a profile patch is a JSON object of the fields to change".into(),
        ));
    }
    edit_draft(store, slug, precondition, |draft| {
        let mut merged = serde_json::to_value(&*draft)?;
        merge_patch(&mut merged, patch.clone());
        *draft = serde_json::from_value(merged).map_err(|error| {
            Error::BadRequest(format!("the patched profile is not readable: {error}"))
        })?;
        Ok(())
    })
    .await
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
    if find_format_character(title).is_some() {
        return Err(Error::InvalidFields(vec![FieldError {
            field: "title".into(),
            message: FORMAT_CHARACTER_MESSAGE.into(),
        }]));
    }
    Ok(title.to_owned())
}

/// The media in an exhibitor's draft, oldest first.
pub async fn list_media(store: &Store, slug: &str) -> Result<Vec<BoothMedia>, Error> {
    store.draft_media(slug).await
}

/// Refuses an upload before it streams when the booth holds as much media as it may.
pub async fn check_room_for_media(store: &Store, slug: &str) -> Result<(), Error> {
    if store.draft_media_count(slug).await? >= MAX_MEDIA_PER_BOOTH {
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
    store
        .add_draft_media(
            slug,
            &NewMediaRow {
                stored: &ingested.stored,
                kind: ingested.kind,
                title,
                width: ingested.width,
                height: ingested.height,
            },
        )
        .await
}

/// An upload as it arrives: its caption, its streaming body and its declared length.
#[derive(Debug)]
pub struct Upload<'a> {
    pub title: &'a str,
    pub body: axum::body::Body,
    pub declared_length: Option<u64>,
}

/// What an upload is held to besides its content: the check budget, the booth's byte quota
/// and the uploads already under way.
#[derive(Debug, Clone, Copy)]
pub struct UploadPolicy<'a> {
    pub budget: CheckBudget,
    pub booth_quota: u64,
    pub gate: &'a UploadGate,
}

/// Checks the caption and the room left in the booth (media count and byte quota), admits
/// one upload per token at a time, streams and checks the upload within the booth tier's
/// budgets, stores it and records it in the draft. Returns the item and whether it is new.
pub async fn upload_media(
    store: &Store,
    media: &MediaStore,
    renderer: &Renderer,
    policy: UploadPolicy<'_>,
    auth: &ExhibitorAuth,
    upload: Upload<'_>,
) -> Result<(BoothMedia, bool), Error> {
    let slug = auth.slug.as_str();
    let title = check_title(upload.title)?;
    check_room_for_media(store, slug).await?;
    let tier = approved_profile(store, slug).await?.tier();
    let limits = ingest::LIMITS;
    // Without a Content-Length the kind is not known yet: reserve the largest upload.
    let wanted = upload
        .declared_length
        .unwrap_or(limits.largest())
        .min(limits.largest());
    let _permit = policy.gate.admit(Reservation {
        token_id: auth.token_id,
        slug,
        stored: stored_bytes(&store.draft_media(slug).await?),
        wanted,
        quota: policy.booth_quota,
    })?;
    let context = IngestContext {
        media: media.clone(),
        renderer: renderer.clone(),
        limits,
        tier,
        budget: policy.budget,
    };
    let ingested = ingest::ingest(&context, upload.body, upload.declared_length).await?;
    // What is stored may be larger than what was sent (a JPEG re-encoded as PNG): count it.
    let draft = store.draft_media(slug).await?;
    let stored = stored_bytes(&draft);
    let size = ingested.stored.byte_size;
    let already_in_draft = draft.iter().any(|m| m.sha256 == ingested.stored.sha256);
    if !already_in_draft && stored.saturating_add(size) > policy.booth_quota {
        // The stored file is referenced by nothing: the storage sweep removes it.
        return Err(UploadError::QuotaExceeded {
            quota: policy.booth_quota,
            used: stored,
            wanted: size,
        }
        .into());
    }
    add_media(store, slug, &ingested, &title).await
}

/// Bytes the listed media take in the store.
fn stored_bytes(media: &[BoothMedia]) -> u64 {
    media.iter().map(|m| m.byte_size).sum()
}

/// Removes a media item from the draft. The stored file stays: it is content-addressed and
/// may be part of a published snapshot.
pub async fn delete_media(store: &Store, slug: &str, sha256: &str) -> Result<(), Error> {
    if !store.delete_draft_media(slug, sha256).await? {
        return Err(Error::not_found("your booth has no such media"));
    }
    Ok(())
}

/// Sends the current draft for review; a submission still waiting is superseded by it.
///
/// With a `precondition` (`If-Match`), only the version named is sent: when the draft has
/// moved on, nothing is submitted ([`Error::StaleVersion`]). The submission is a copy of the
/// version read, so a save landing meanwhile never mixes into it.
pub async fn submit(
    store: &Store,
    slug: &str,
    precondition: Option<&IfMatch>,
) -> Result<Submission, Error> {
    let current = draft(store, slug).await?;
    revision::check(precondition, current.revision)
        .map_err(|current| Error::StaleVersion { current })?;
    let approved = approved_profile(store, slug).await?;
    check_profile(&approved, &current.profile).map_err(Error::InvalidFields)?;
    let media = list_media(store, slug).await?;
    let id = store
        .insert_submission(slug, &current.profile, &media)
        .await?;
    submission(store, id).await
}

pub async fn submission(store: &Store, id: i64) -> Result<Submission, Error> {
    store
        .submission(id)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no submission {id}")))
}

/// The exhibitor's newest submission, if it ever sent one.
pub async fn latest_submission(store: &Store, slug: &str) -> Result<Option<Submission>, Error> {
    store.latest_submission(slug).await
}

/// Submissions in one status, oldest first (the review queue is `Pending`).
pub async fn submissions_with_status(
    store: &Store,
    status: SubmissionStatus,
) -> Result<Vec<Submission>, Error> {
    store.submissions_with_status(status).await
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
    fn check_profile_returns_the_validated_draft_or_every_problem() {
        let approved = ExhibitorProfile::example().validate().unwrap();
        let mut draft = ExhibitorProfile::example();
        draft.tagline = "Detection, told plainly".into();
        let checked = check_profile(&approved, &draft).unwrap();
        assert_eq!(checked.tagline(), "Detection, told plainly");

        // A tier only staff change: refused with the approved value, even when it is no tier.
        draft.tier = "gold".into();
        draft.founded = 1800;
        let errors = check_profile(&approved, &draft).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["founded", "tier"]);
        assert_eq!(
            errors[1].message,
            "is set by the organisers (\"premium\"); ask staff to change it, and send \"premium\" here"
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
