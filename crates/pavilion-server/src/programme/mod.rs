//! The week's programme as staff curate it: the draft (validated by the model's rules on every
//! save, saved with its audit entry as a compare-and-set on its revision) and the seed
//! import of `programme/programme.toml` on first start, (`ics`) the published programme as
//! iCalendar and (`screens`) the stages' live screens. Publishing it with the hall is `hall::publish`'s job.

pub mod ics;
pub mod screens;

use std::path::Path;

use axum::body::Body;
use pavilion_model::{BoothTier, MediaKind, Programme};

use crate::db::{NewAudit, ProgrammeDraft, StaffSession, Store};
use crate::error::Error;
use crate::media::ingest::{self, IngestContext};
use crate::media::{CheckBudget, MediaStore, Renderer, StoredMedia};
use crate::revision::{self, IfMatch, Revision};

/// The largest seed file read, in bytes (a programme at every bound is well under this).
pub const MAX_SEED_BYTES: u64 = 8 * 1024 * 1024;

/// The draft, if there is one.
pub async fn draft(store: &Store) -> Result<Option<ProgrammeDraft>, Error> {
    store.programme_draft().await
}

/// The revision an edit starts from, refused with [`Error::StaleVersion`] when the caller
/// named the version it edited (`If-Match`) and the draft has moved on. Call with the
/// curation lock held, and save with [`save_draft`] over the returned revision.
pub async fn revision_to_edit(
    store: &Store,
    precondition: Option<&IfMatch>,
) -> Result<Revision, Error> {
    let current = draft(store)
        .await?
        .map_or(Revision::UNSAVED, |draft| draft.revision);
    revision::check(precondition, current).map_err(|current| Error::StaleVersion { current })?;
    Ok(current)
}

/// Checks a whole programme and, when it keeps every rule, saves it as the draft with its
/// audit entry in one transaction, as a compare-and-set over `base`. Returns the new
/// revision; nothing is saved when a rule is broken ([`Error::ProgrammeProblems`] with every
/// problem) or the draft moved on ([`Error::StaleVersion`]).
pub async fn save_draft(
    store: &Store,
    who: &StaffSession,
    base: Revision,
    programme: &Programme,
) -> Result<Revision, Error> {
    let problems = programme.validate();
    if !problems.is_empty() {
        return Err(Error::ProgrammeProblems(problems));
    }
    let detail = serde_json::json!({
        "days": programme.days.len(),
        "forums": programme.forums.len(),
        "stages": programme.stages.len(),
        "sessions": programme.sessions.len(),
    });
    let audit = NewAudit::new(who, "replace_programme", "programme", detail);
    match store
        .save_programme_draft(programme, Some(&audit), base, &[])
        .await?
    {
        Some(revision) => Ok(revision),
        None => Err(Error::StaleVersion {
            current: draft(store)
                .await?
                .map_or(Revision::UNSAVED, |draft| draft.revision),
        }),
    }
}

/// Reads and checks a seed programme file (TOML, [`Programme`]'s fields).
pub fn read_seed(path: &Path) -> Result<Programme, Error> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    file.take(MAX_SEED_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SEED_BYTES {
        return Err(Error::BadRequest(format!(
            "the seed programme {} is larger than {MAX_SEED_BYTES} bytes",
            path.display()
        )));
    }
    let programme: Programme = toml::from_str(&text).map_err(|error| {
        Error::BadRequest(format!(
            "the seed programme {} does not parse: {error}",
            path.display()
        ))
    })?;
    let problems = programme.validate();
    if !problems.is_empty() {
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(Error::BadRequest(format!(
            "the seed programme {} breaks {} rule(s): {}",
            path.display(),
            problems.len(),
            listed.join("; ")
        )));
    }
    Ok(programme)
}

/// The folder beside the seed file with the sessions' recordings:
/// `recordings/<session id>.webm` (or `.mp4`).
pub const RECORDINGS_DIR: &str = "recordings";

/// What the seed import needs to ingest the sessions' recordings.
#[derive(Debug, Clone)]
pub struct RecordingSources {
    pub media: MediaStore,
    pub renderer: Renderer,
    pub budget: CheckBudget,
}

/// Imports the seed programme as the draft when there is no draft yet (first start), with
/// the recordings found beside it (see [`ingest_recordings`]). A missing seed file leaves
/// the store without a programme (logged); one that does not parse or breaks a rule stops
/// the start-up. Returns true when it imported.
pub async fn import_seed_if_missing(
    store: &Store,
    path: &Path,
    sources: &RecordingSources,
) -> Result<bool, Error> {
    if store.programme_draft().await?.is_some() {
        return Ok(false);
    }
    if !path.is_file() {
        tracing::warn!(seed = %path.display(), "no seed programme: starting without a programme");
        return Ok(false);
    }
    let mut programme = read_seed(path)?;
    let folder = path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(RECORDINGS_DIR);
    let recordings = ingest_recordings(&mut programme, &folder, sources).await?;
    let saved = store
        .save_programme_draft(&programme, None, Revision::UNSAVED, &recordings)
        .await?;
    tracing::info!(
        seed = %path.display(),
        sessions = programme.sessions.len(),
        recordings = recordings.len(),
        "seed programme imported"
    );
    Ok(saved.is_some())
}

/// For every session without a `recording_url` whose `<folder>/<id>.webm` (or `.mp4`)
/// exists, ingests the file as an upload is ingested (kind from its bytes, the video limit,
/// the header check, stored content-addressed) and sets `recording_url` to its
/// `/media/<sha256>.<ext>`. A file the checks refuse, or that is no video, is logged and
/// left out: the session keeps no recording. Returns the files stored.
pub async fn ingest_recordings(
    programme: &mut Programme,
    folder: &Path,
    sources: &RecordingSources,
) -> Result<Vec<StoredMedia>, Error> {
    let mut stored = Vec::new();
    if !folder.is_dir() {
        return Ok(stored);
    }
    let context = IngestContext {
        media: sources.media.clone(),
        renderer: sources.renderer.clone(),
        limits: ingest::LIMITS,
        tier: BoothTier::Standard,
        budget: sources.budget,
    };
    for session in &mut programme.sessions {
        if session.recording_url.is_some() {
            continue;
        }
        let Some(file) = ["webm", "mp4"]
            .iter()
            .map(|extension| folder.join(format!("{}.{extension}", session.id)))
            .find(|file| file.is_file())
        else {
            continue;
        };
        let opened = tokio::fs::File::open(&file).await?;
        let length = opened.metadata().await?.len();
        let body = Body::from_stream(tokio_util::io::ReaderStream::new(opened));
        match ingest::ingest(&context, body, Some(length)).await {
            Ok(ingested) if ingested.kind == MediaKind::Video => {
                session.recording_url = Some(ingested.stored.url());
                stored.push(ingested.stored);
            }
            Ok(ingested) => tracing::warn!(
                file = %file.display(),
                kind = ?ingested.kind,
                "a session recording is not a video: left out"
            ),
            Err(error) => tracing::warn!(
                file = %file.display(),
                %error,
                "a session recording was refused: left out"
            ),
        }
    }
    Ok(stored)
}
