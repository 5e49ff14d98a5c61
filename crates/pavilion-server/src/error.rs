//! The one error type of the service and its JSON response `{"code", "message"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

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
            Error::InvalidLayout(_) => "invalid_layout",
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
            Error::InvalidCatalogue(_) | Error::InvalidLayout(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
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
        let body = ErrorBody {
            code: self.code(),
            message,
        };
        (status, Json(body)).into_response()
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
