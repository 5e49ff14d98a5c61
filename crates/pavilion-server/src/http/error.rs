//! The error contract on the wire: every failing request gets [`ErrorBody`], the one type the
//! OpenAPI schema `ErrorBody` is derived from, with the status its code stands for. Internal
//! causes are logged here and replaced by a sentence without paths or SQL.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pavilion_model::contest::ContestProblem;
use pavilion_model::layout::LayoutProblem;
use pavilion_model::{FieldError, ProgrammeProblem};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, UploadError};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs: `not_found`, `bad_request`, `unsupported_media_type`,
    /// `unauthorized`, `forbidden`, `conflict`, `invalid_fields`, `invalid_layout`,
    /// `invalid_programme`, `invalid_question_set`, the contest's 409s (`nickname_taken`,
    /// `already_played`, `already_answered`, `not_asked`, `attempt_finished`, `set_in_play`),
    /// `too_large`, `unsupported_type`, `booth_quota_exceeded`, `upload_in_progress`,
    /// `insufficient_storage` (507), `too_many_requests` (429), `busy` (503),
    /// `request_timeout` and `upload_too_slow` (408), `stale_version` (412), `internal`, ...
    /// A 429 or 503 carries `Retry-After` in seconds; a 412 carries the current `ETag`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// With `invalid_layout`: every rule the layout breaks; with `invalid_programme`: every
    /// rule the programme breaks; with `invalid_question_set`: every rule the set breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Problems>,
    /// With `invalid_fields`: every field that needs attention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// With `stale_version`: the draft's version now (its ETag is this number in quotes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<u64>,
}

/// The rules a document breaks, as the error body lists them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Problems {
    Layout(Vec<LayoutProblem>),
    Programme(Vec<ProgrammeProblem>),
    QuestionSet(Vec<ContestProblem>),
}

/// The message sent instead of an internal cause.
pub const INTERNAL_MESSAGE: &str = "something went wrong on our side; it has been logged";

/// The HTTP status an error answers with.
pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::BadRequest(_) => StatusCode::BAD_REQUEST,
        Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::InvalidCatalogue(_)
        | Error::InvalidLayout(_)
        | Error::LayoutProblems(_)
        | Error::ProgrammeProblems(_)
        | Error::ContestProblems(_)
        | Error::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Contest { .. } => StatusCode::CONFLICT,
        Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
        Error::Upload(upload) => upload_status(upload),
        Error::NothingPublished | Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
        Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        Error::Render { .. }
        | Error::Internal(_)
        | Error::Database(_)
        | Error::Migrate(_)
        | Error::Io(_)
        | Error::Json(_)
        | Error::Task(_)
        | Error::Listen { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn upload_status(error: &UploadError) -> StatusCode {
    match error {
        UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        UploadError::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        UploadError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        UploadError::Empty | UploadError::Interrupted => StatusCode::BAD_REQUEST,
        UploadError::QuotaExceeded { .. } => StatusCode::CONFLICT,
        UploadError::Busy => StatusCode::TOO_MANY_REQUESTS,
        UploadError::TooSlow { .. } => StatusCode::REQUEST_TIMEOUT,
    }
}

impl ErrorBody {
    /// The body for an error; internal causes are logged and replaced.
    pub fn of(error: Error) -> ErrorBody {
        let message = if error.is_internal() {
            tracing::error!(error = %error, "request failed");
            INTERNAL_MESSAGE.to_owned()
        } else {
            error.to_string()
        };
        let code = error.code().to_owned();
        let current_revision = match &error {
            Error::StaleVersion { current } => Some(current.0),
            _ => None,
        };
        let (problems, errors) = match error {
            Error::LayoutProblems(problems) => (Some(Problems::Layout(problems)), None),
            Error::ProgrammeProblems(problems) => (Some(Problems::Programme(problems)), None),
            Error::ContestProblems(problems) => (Some(Problems::QuestionSet(problems)), None),
            Error::InvalidFields(errors) => (None, Some(errors)),
            _ => (None, None),
        };
        ErrorBody {
            code,
            message,
            problems,
            errors,
            current_revision,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = status_of(&self);
        let retry_after = self.retry_after();
        let current_etag = match &self {
            Error::StaleVersion { current } => HeaderValue::from_str(&current.etag()).ok(),
            _ => None,
        };
        let mut response = (status, Json(ErrorBody::of(self))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(etag) = current_etag {
            response.headers_mut().insert(header::ETAG, etag);
        }
        if let Some(wait) = retry_after {
            // Whole seconds, rounded up, at least one: a client never retries immediately.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// The refusals of an endpoint that needs a signed-in caller: for OpenAPI `responses(...)`.
#[derive(Debug, utoipa::IntoResponses)]
pub enum SignedIn {
    /// No credential, or an unknown, expired or revoked one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
}

/// The refusals of an admin-only staff endpoint.
#[derive(Debug, utoipa::IntoResponses)]
pub enum AdminOnly {
    /// No credential, or an unknown, expired or revoked one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Signed in, but not as a staff admin.
    #[response(status = 403)]
    Forbidden(ErrorBody),
}

/// The refusals of an endpoint that reads a JSON body.
#[derive(Debug, utoipa::IntoResponses)]
pub enum JsonRefusals {
    /// The body is empty, is not JSON, or does not fit the schema (the message names the
    /// field path).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The body is not sent as `Content-Type: application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
}

/// The refusal of an address whose path parameter does not parse (a number that is not one).
#[derive(Debug, utoipa::IntoResponses)]
pub enum BadPath {
    #[response(status = 400)]
    BadRequest(ErrorBody),
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn internal_errors_never_send_paths_or_sql() {
        let database =
            sqlx::Error::Protocol("near \"SELEC\": syntax error in SELECT * FROM staff".into());
        let cases = [
            Error::Io(std::io::Error::other("/secret/path/pavilion.db")),
            Error::Internal("row in /var/lib/pavilion failed".into()),
            Error::Database(database),
            Error::Render {
                what: "the sign at /usr/share/fonts".into(),
                source: "font file /usr/share/fonts/x.ttf".into(),
            },
        ];
        for error in cases {
            let response = error.into_response();
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = body_text(response).await;
            let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(parsed["code"], "internal");
            assert_eq!(parsed["message"], INTERNAL_MESSAGE);
            for leak in ["/", "SELECT", "sqlite", "staff"] {
                assert!(!body.contains(leak), "{leak:?} leaked in {body}");
            }
        }
    }

    /// A real `ENOSPC` from the kernel (writing to `/dev/full`), not a constructed one: the
    /// store's writes fail the same way when the disk fills up.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_full_disk_is_507_insufficient_storage() {
        use std::io::Write as _;
        let mut full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let enospc = full
            .write_all(&[0; 4096])
            .and_then(|()| full.flush())
            .unwrap_err();
        assert_eq!(enospc.raw_os_error(), Some(28), "{enospc:?}");
        let response = Error::from(enospc).into_response();
        assert_eq!(response.status(), StatusCode::INSUFFICIENT_STORAGE);
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(body["code"], "insufficient_storage");
        assert!(!body["message"].as_str().unwrap().contains("os error"));
        let other = Error::from(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert_eq!(
            other.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[tokio::test]
    async fn client_errors_keep_their_message_and_code() {
        let response = Error::not_found("no such booth").into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["message"], "no such booth");
        assert!(body.get("errors").is_none());
    }
}
