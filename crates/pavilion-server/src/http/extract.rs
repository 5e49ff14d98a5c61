//! Request extractors: who is calling (`Authorization: Bearer ...` for staff and exhibitors)
//! and JSON bodies, which must say `Content-Type: application/json` (415 otherwise) and parse
//! into the expected type (400 naming the field path otherwise). Every rejection is the
//! service's `Error`, so it reaches the client as the one error body.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::db::{Role, StaffSession};
use crate::error::Error;
use crate::exhibitor::tokens::{ExhibitorAuth, exhibitor_for_token};
use crate::http::client_address::ClientAddress;
use crate::staff::accounts::session_for_token;

/// The largest JSON body any endpoint reads (a whole layout of 1,000 booths fits easily).
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// A signed-in admin; curators get 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequireAdmin(pub StaffSession);

/// The token of an `Authorization: Bearer ...` header.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, Error> {
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| Error::Unauthorized("sign in as staff first".into()))?;
    let value = header
        .to_str()
        .map_err(|_| Error::Unauthorized("the Authorization header is not readable".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| Error::Unauthorized("use Authorization: Bearer <token>".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Error::Unauthorized(
            "use Authorization: Bearer <token>".into(),
        ));
    }
    Ok(token.trim())
}

/// Runs a token check for a request that sent a token: 429 first when its address has
/// failed too often; a refused token counts against the address and is logged.
async fn throttled<T>(
    parts: &mut Parts,
    state: &AppState,
    kind: &'static str,
    check: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let Ok(ClientAddress(address)) = ClientAddress::from_request_parts(parts, state).await;
    let throttle = &state.guard().sign_in.throttle;
    throttle.check_address(address).await?;
    let outcome = check.await;
    if let Err(Error::Unauthorized(_)) = &outcome {
        throttle.failed(None, address).await?;
        tracing::warn!(?address, kind, path = parts.uri.path(), "bad bearer token");
    }
    outcome
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer_token(&parts.headers)?.to_owned();
        throttled(
            parts,
            state,
            "staff",
            session_for_token(state.store(), &token),
        )
        .await
    }
}

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        if session.role == Role::Admin {
            Ok(RequireAdmin(session))
        } else {
            Err(Error::Forbidden("this needs a staff admin".into()))
        }
    }
}

impl FromRequestParts<AppState> for ExhibitorAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer_token(&parts.headers)
            .map_err(|_| {
                Error::Unauthorized(
                    "send your exhibitor token as Authorization: Bearer pex_...".into(),
                )
            })?
            .to_owned();
        throttled(
            parts,
            state,
            "exhibitor",
            exhibitor_for_token(state.store(), &token),
        )
        .await
    }
}

/// Path parameters of type `T`; a parameter that does not parse is 400 with the error body
/// (axum's own rejection is plain text).
#[derive(Debug)]
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| PathParams(value))
            .map_err(|rejection| {
                Error::BadRequest(format!(
                    "the address is not valid here: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// Query parameters of type `T`; a query that does not parse is 400 with the error body.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| QueryParams(value))
            .map_err(|rejection| {
                Error::BadRequest(format!(
                    "the query is not valid here: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// A JSON request body of type `T`, or `T::default()` when the request has no body at all.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub T);

/// True for `application/json` and the `application/*+json` family (such as
/// `application/merge-patch+json`), with any parameters.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

/// Parses `bytes` as `T`, naming the path of the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::BadRequest(
            "the request body is empty; send the JSON this endpoint reads".into(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path.is_empty() || path == "." {
            Error::BadRequest(format!(
                "the request body is not the expected JSON: {inner}"
            ))
        } else {
            Error::BadRequest(format!(
                "the request body is not the expected JSON: at {path}: {inner}"
            ))
        }
    })?;
    deserializer.end().map_err(|error| {
        Error::BadRequest(format!(
            "the request body has more after its JSON value: {error}"
        ))
    })?;
    Ok(value)
}

async fn read_body(request: Request) -> Result<Bytes, Error> {
    axum::body::to_bytes(request.into_body(), MAX_JSON_BYTES)
        .await
        .map_err(|_| {
            Error::BadRequest(format!(
                "the request body is unreadable or larger than {MAX_JSON_BYTES} bytes"
            ))
        })
}

/// Reads `body` as JSON of type `T` (sent as `application/json`), refusing with 413 before
/// reading more than `max` bytes; for endpoints that take small bodies from anyone.
pub async fn read_small_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: axum::body::Body,
    max: usize,
) -> Result<T, Error> {
    require_json(headers)?;
    let too_large = || Error::PayloadTooLarge(format!("the body may be at most {max} bytes"));
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| too_large())?;
    parse_json(&bytes)
}

fn require_json(headers: &HeaderMap) -> Result<(), Error> {
    if is_json_content_type(headers) {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType(
            "send the body as JSON with Content-Type: application/json".into(),
        ))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Error> {
        require_json(request.headers())?;
        let bytes = read_body(request).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = Error;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Error> {
        let has_type = request.headers().contains_key(CONTENT_TYPE);
        if has_type {
            require_json(request.headers())?;
        }
        let bytes = read_body(request).await?;
        if bytes.is_empty() && !has_type {
            return Ok(OptionalJsonBody(T::default()));
        }
        if !has_type {
            require_json(&HeaderMap::new())?;
        }
        parse_json(&bytes).map(OptionalJsonBody)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code, reason = "fields are read by the deserializer under test")]
    struct Probe {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code, reason = "fields are read by the deserializer under test")]
    struct Item {
        count: u32,
    }

    #[test]
    fn json_content_types_are_recognised() {
        let mut headers = HeaderMap::new();
        assert!(!is_json_content_type(&headers));
        for (value, json) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/merge-patch+json", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("application/jsonp", false),
        ] {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json_content_type(&headers), json, "{value}");
        }
    }

    #[test]
    fn parse_errors_name_the_field_path() {
        let error =
            parse_json::<Probe>(br#"{"name": "a", "items": [{"count": 1}, {"count": "x"}]}"#)
                .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("items[1].count"), "{message}");
        assert!(matches!(error, Error::BadRequest(_)));
        assert!(parse_json::<Probe>(b"").is_err());
        assert!(parse_json::<Probe>(b"{").is_err());
        assert!(parse_json::<Probe>(br#"{"name": "a", "items": []} x"#).is_err());
    }
}
