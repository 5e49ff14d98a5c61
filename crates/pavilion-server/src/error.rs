//! The one error type of the service. Each variant has a stable `code()`; the HTTP layer
//! (`http::error`) turns it into a status and the JSON error body, and logs internal causes
//! instead of sending them. The refusals it carries (uploads, catalogue problems) are
//! defined here too, so every area can return this type without import cycles.

use pavilion_model::FieldError;
use pavilion_model::ProgrammeProblem;
use pavilion_model::contest::ContestProblem;
use pavilion_model::layout::LayoutProblem;

use crate::revision::Revision;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

const MIB: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// A request body whose `Content-Type` is not the one the endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A request body over the endpoint's limit (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// The catalogue has invalid profiles; nothing was imported.
    #[error(transparent)]
    InvalidCatalogue(#[from] CatalogueProblems),
    #[error("the layout is invalid: {0}")]
    InvalidLayout(String),
    /// A layout sent or to be published breaks rules; the body lists every problem.
    #[error("the layout breaks {} rule(s); nothing was saved", .0.len())]
    LayoutProblems(Vec<LayoutProblem>),
    /// A programme sent or to be published breaks rules; the body lists every problem.
    #[error("the programme breaks {} rule(s); nothing was saved", .0.len())]
    ProgrammeProblems(Vec<ProgrammeProblem>),
    /// A question set sent breaks rules; the body lists every problem.
    #[error("the question set breaks {} rule(s); nothing was saved", .0.len())]
    ContestProblems(Vec<ContestProblem>),
    /// A contest move the rules of play refuse (409), with its own stable code.
    #[error("{message}")]
    Contest {
        code: ContestRefusal,
        message: String,
    },
    /// No or an unknown, expired or revoked credential.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid credential without the right to do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// A write that named the version it edited (`If-Match`) while the draft has moved on:
    /// someone else saved it meanwhile. Nothing was saved; `current` is the version now (412).
    #[error(
        "this draft was changed elsewhere (another tab or a colleague) since you loaded it; it is now at version {current}: load it again, redo your change and send it with If-Match: \"{current}\"; nothing was saved"
    )]
    StaleVersion { current: Revision },
    /// A profile or product sent by an exhibitor breaks rules; the body lists every field.
    #[error("{} field(s) need attention; nothing was saved", .0.len())]
    InvalidFields(Vec<FieldError>),
    /// An upload refused by the ingest pipeline, with its own stable code and status.
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error("nothing has been published yet")]
    NothingPublished,
    /// Too many failed sign-ins or bad tokens from this address or for this name (429).
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after: Duration,
    },
    /// A bounded kind of work (uploads, sign-ins) is at its limit right now (503).
    #[error("{message}")]
    Busy {
        message: String,
        retry_after: Duration,
    },
    /// The request ran past its deadline and was stopped (408).
    #[error("the request took longer than {0:?} and was stopped")]
    Timeout(Duration),
    #[error("rendering {what}: {source}")]
    Render {
        what: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Something that should not happen, such as a stored row that no longer parses.
    #[error("internal: {0}")]
    Internal(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The disk (or the file system's quota) is full: nothing was stored, and the database
    /// and everything already stored keep working.
    #[error("the server has no room to store this now; try again later")]
    InsufficientStorage,
    #[error("file system: {0}")]
    Io(std::io::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The server could not take its address (in use, or not this machine's).
    #[error("could not listen on {address}: {source}")]
    Listen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Why the contest refuses a move (each is 409 with its own code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContestRefusal {
    /// The nickname is someone else's already.
    NicknameTaken,
    /// The visitor has played (or is playing) this set already.
    AlreadyPlayed,
    /// An answer to a question answered before (a replay).
    AlreadyAnswered,
    /// An answer to a question not asked yet.
    NotAsked,
    /// The attempt has no question left.
    Finished,
    /// A set somebody has played cannot change or go.
    SetInPlay,
}

impl ContestRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ContestRefusal::NicknameTaken => "nickname_taken",
            ContestRefusal::AlreadyPlayed => "already_played",
            ContestRefusal::AlreadyAnswered => "already_answered",
            ContestRefusal::NotAsked => "not_asked",
            ContestRefusal::Finished => "attempt_finished",
            ContestRefusal::SetInPlay => "set_in_play",
        }
    }
}

impl Error {
    /// A contest move refused with `code`.
    pub fn contest(code: ContestRefusal, message: impl Into<String>) -> Error {
        Error::Contest {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound(what.into())
    }

    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::BadRequest(_) => "bad_request",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::PayloadTooLarge(_) => "too_large",
            Error::InvalidCatalogue(_) => "invalid_catalogue",
            Error::InvalidLayout(_) | Error::LayoutProblems(_) => "invalid_layout",
            Error::ProgrammeProblems(_) => "invalid_programme",
            Error::ContestProblems(_) => "invalid_question_set",
            Error::Contest { code, .. } => code.code(),
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Conflict(_) => "conflict",
            Error::StaleVersion { .. } => "stale_version",
            Error::InvalidFields(_) => "invalid_fields",
            Error::Upload(upload) => upload.code(),
            Error::NothingPublished => "not_published",
            Error::InsufficientStorage => "insufficient_storage",
            Error::TooManyRequests { .. } => "too_many_requests",
            Error::Busy { .. } => "busy",
            Error::Timeout(_) => "request_timeout",
            Error::Render { .. }
            | Error::Internal(_)
            | Error::Database(_)
            | Error::Migrate(_)
            | Error::Io(_)
            | Error::Json(_)
            | Error::Task(_)
            | Error::Listen { .. } => "internal",
        }
    }

    /// How long the client should wait before trying again, for 429 and 503 answers.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::TooManyRequests { retry_after, .. } | Error::Busy { retry_after, .. } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }

    /// True for failures on the server's side, whose details are logged and never sent.
    pub fn is_internal(&self) -> bool {
        self.code() == "internal"
    }
}

impl From<std::io::Error> for Error {
    /// A full disk or quota becomes [`Error::InsufficientStorage`] (507), wherever it happens;
    /// every other IO failure is internal.
    fn from(error: std::io::Error) -> Error {
        if is_storage_full(&error) {
            tracing::error!(%error, "storage is full: refusing to store");
            Error::InsufficientStorage
        } else {
            Error::Io(error)
        }
    }
}

/// True for `ENOSPC` and `EDQUOT`: no room on the device or in the user's quota.
pub fn is_storage_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// Why an upload was refused; each has a stable code and status.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UploadError {
    #[error("the upload is larger than the {} MiB allowed for {what}", limit.div_ceil(MIB))]
    TooLarge { what: &'static str, limit: u64 },
    #[error(
        "the content is not a kind Pavilion accepts: send a PNG, JPEG or SVG image, an MP4 or WebM video, a PDF brochure or a GLB model"
    )]
    Unsupported,
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("the upload is empty")]
    Empty,
    #[error("the upload was interrupted before it ended")]
    Interrupted,
    /// The booth's stored media and the uploads under way leave no room for this one.
    #[error(
        "your booth may store {} MiB of media; {} MiB are used or being uploaded and this upload needs up to {} MiB: delete media you no longer need first",
        quota.div_ceil(MIB), used.div_ceil(MIB), wanted.div_ceil(MIB)
    )]
    QuotaExceeded { quota: u64, used: u64, wanted: u64 },
    /// Another upload with the same token has not finished.
    #[error(
        "another upload with this token is still under way; wait for it to finish, then send the next file"
    )]
    Busy,
    /// The body arrived slower than the minimum rate, averaged over the window.
    #[error(
        "the upload was slower than {} KiB/s over {window:?} and was cut; send it over a faster connection",
        min_rate.div_ceil(1024)
    )]
    TooSlow { min_rate: u64, window: Duration },
}

impl UploadError {
    pub fn code(&self) -> &'static str {
        match self {
            UploadError::TooLarge { .. } => "too_large",
            UploadError::Unsupported => "unsupported_type",
            UploadError::Invalid { code, .. } => code,
            UploadError::Empty => "empty_upload",
            UploadError::Interrupted => "upload_interrupted",
            UploadError::QuotaExceeded { .. } => "booth_quota_exceeded",
            UploadError::Busy => "upload_in_progress",
            UploadError::TooSlow { .. } => "upload_too_slow",
        }
    }

    /// The refusal a failed body carries somewhere in its chain of causes (a body wrapper
    /// that cuts a slow upload fails with one), if any.
    pub fn carried_by(error: &(dyn std::error::Error + 'static)) -> Option<UploadError> {
        let mut cause = Some(error);
        while let Some(error) = cause {
            if let Some(refusal) = error.downcast_ref::<UploadError>() {
                return Some(refusal.clone());
            }
            cause = error.source();
        }
        None
    }

    pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> UploadError {
        UploadError::Invalid {
            code,
            message: message.into(),
        }
    }
}

impl From<pavilion_media::MediaError> for UploadError {
    fn from(error: pavilion_media::MediaError) -> UploadError {
        match error {
            pavilion_media::MediaError::Empty => UploadError::Empty,
            other => UploadError::Invalid {
                code: other.code(),
                message: other.to_string(),
            },
        }
    }
}

/// One thing wrong in one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueProblem {
    pub folder: String,
    /// The profile field, or the file name when the problem concerns a whole file.
    pub field: String,
    pub message: String,
}

/// Every problem found in a catalogue; a catalogue with any problem is not imported at all.
#[derive(Debug, Clone, thiserror::Error)]
pub struct CatalogueProblems {
    pub catalogue: PathBuf,
    pub problems: Vec<CatalogueProblem>,
}

impl fmt::Display for CatalogueProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let folders: std::collections::BTreeSet<&str> =
            self.problems.iter().map(|p| p.folder.as_str()).collect();
        write!(
            f,
            "the catalogue in {} has {count} problem{} in {} folder{}; nothing was imported:",
            self.catalogue.display(),
            if count == 1 { "" } else { "s" },
            folders.len(),
            if folders.len() == 1 { "" } else { "s" },
        )?;
        for problem in &self.problems {
            write!(
                f,
                "\n  {}: {}: {}",
                problem.folder, problem.field, problem.message
            )?;
        }
        Ok(())
    }
}
