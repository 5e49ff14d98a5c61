//! The one error type of the service and its JSON response `{"code", "message"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use pavilion_model::FieldError;
use pavilion_model::layout::LayoutProblem;

use crate::catalogue::CatalogueProblems;
use crate::render::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
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
    /// No or an unknown, expired or revoked credential.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid credential without the right to do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// A profile or product sent by an exhibitor breaks rules; the body lists every field.
    #[error("{} field(s) need attention; nothing was saved", .0.len())]
    InvalidFields(Vec<FieldError>),
    /// An upload refused by the ingest pipeline, with its own stable code and status.
    #[error(transparent)]
    Upload(#[from] crate::upload::UploadError),
    #[error("nothing has been published yet")]
    NothingPublished,
    #[error("rendering {what}: {source}")]
    Render { what: String, source: RenderError },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [LayoutProblem]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}

impl Error {
    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound(what.into())
    }

    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::BadRequest(_) => "bad_request",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::InvalidCatalogue(_) => "invalid_catalogue",
            Error::InvalidLayout(_) | Error::LayoutProblems(_) => "invalid_layout",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Conflict(_) => "conflict",
            Error::InvalidFields(_) => "invalid_fields",
            Error::Upload(upload) => upload.code(),
            Error::NothingPublished => "not_published",
            Error::Render { .. }
            | Error::Database(_)
            | Error::Io(_)
            | Error::Json(_)
            | Error::Task(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::InvalidCatalogue(_) | Error::InvalidLayout(_) | Error::LayoutProblems(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Upload(upload) => upload.status(),
            Error::NothingPublished => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() && self.code() == "internal" {
            // Internal details go to the log, never to the client.
            tracing::error!(error = %self, "request failed");
            "something went wrong on our side; it has been logged".to_owned()
        } else {
            self.to_string()
        };
        let problems = match &self {
            Error::LayoutProblems(problems) => Some(problems.as_slice()),
            _ => None,
        };
        let body = ErrorBody {
            code: self.code(),
            message,
            problems,
            errors: match &self {
                Error::InvalidFields(errors) => Some(errors.as_slice()),
                _ => None,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_details() {
        let response = Error::Io(std::io::Error::other("/secret/path")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let response = Error::not_found("no such booth").into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}
