//! Versioned drafts on the wire: the `If-Match` header a write may carry ([`Precondition`]),
//! answers that carry the draft's `ETag` ([`Versioned`]), and their OpenAPI pieces.
//!
//! A write without `If-Match` is accepted (older clients and scripts keep working) and is still
//! saved as one compare-and-set, so it never overwrites an edit it did not read: it is applied
//! over whatever is current. A malformed `If-Match` is 400; a well-formed one that names no
//! current version (a weak tag included: the comparison is strong) is 412 `stale_version`
//! with the current `ETag`.

use axum::extract::FromRequestParts;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::revision::{IfMatch, Revision};

/// The `If-Match` a request carries, if any (several header lines count as one list).
#[derive(Debug, Clone, Default)]
pub struct Precondition(pub Option<IfMatch>);

impl Precondition {
    pub fn as_ref(&self) -> Option<&IfMatch> {
        self.0.as_ref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Precondition {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let mut values = Vec::new();
        for value in parts.headers.get_all(IF_MATCH) {
            let value = value.to_str().map_err(|_| {
                Error::BadRequest(
                    "If-Match must be visible ASCII: entity tags such as \"3\"".into(),
                )
            })?;
            values.push(value);
        }
        if values.is_empty() {
            return Ok(Precondition(None));
        }
        IfMatch::parse(&values.join(","))
            .map(|parsed| Precondition(Some(parsed)))
            .map_err(Error::BadRequest)
    }
}

/// An answer about a draft at `revision`: `status` and `body` with the draft's `ETag`, and
/// `Cache-Control: no-store` (a draft is private and changes).
#[derive(Debug)]
pub struct Versioned<T> {
    pub status: StatusCode,
    pub revision: Revision,
    pub body: T,
}

impl<T> Versioned<T> {
    pub fn ok(revision: Revision, body: T) -> Versioned<T> {
        Versioned {
            status: StatusCode::OK,
            revision,
            body,
        }
    }
}

impl<T: IntoResponse> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        if let Ok(etag) = HeaderValue::from_str(&self.revision.etag()) {
            headers.insert(ETAG, etag);
        }
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// The `If-Match` request header, for OpenAPI `params(...)` of the writes to a draft.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The draft's `ETag` as last read (such as `"3"`), to save only over that version: when
    /// the draft has changed since, nothing is saved and the answer is 412. `*` matches any
    /// version. Left out, the change is applied to whatever version is current.
    #[param(rename = "If-Match", required = false)]
    #[allow(dead_code)]
    if_match: String,
}

/// The refusal of a write to a versioned draft, for OpenAPI `responses(...)` (a malformed
/// `If-Match` is one more reason for the 400 each of those writes lists).
#[derive(Debug, utoipa::IntoResponses)]
pub enum StaleVersion {
    /// `stale_version`: the draft changed since the version named in `If-Match`; nothing was
    /// saved. `current_revision` and the `ETag` header give the version now.
    #[response(
        status = 412,
        headers(("ETag" = String, description = "The draft's current version"))
    )]
    PreconditionFailed(ErrorBody),
}
