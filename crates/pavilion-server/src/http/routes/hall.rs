//! `GET /api/v1/hall`: the published snapshot, pre-compressed, with ETag revalidation.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::hall::PreparedDocument;
use crate::http::cache::{if_none_match_hits, negotiate_encoding};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/hall", get(hall))
}

#[utoipa::path(get, path = "/api/v1/hall", tag = "visitors",
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses((status = 200, description = "The published hall (brotli or gzip when accepted), with a strong ETag and `Cache-Control: no-cache`", body = pavilion_model::HallSnapshot),
        (status = 304, description = "The hall has not changed since the ETag sent")))]
pub(crate) async fn hall(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let published = state.published();
    serve_prepared(&headers, &published.document)
}

/// Answers with a published document prepared in every coding: the best coding the client
/// accepts, its strong ETag, `Vary: Accept-Encoding` and `Cache-Control: no-cache`, or 304
/// when `If-None-Match` names any coding's ETag.
pub(crate) fn serve_prepared(headers: &HeaderMap, document: &PreparedDocument) -> Response {
    let encoding = negotiate_encoding(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let etag = document.etag(encoding);
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| if_none_match_hits(value, &document.all_etags()))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = document.body(encoding).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(coding) = encoding.header_value() {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let caching = response.headers_mut();
    caching.insert(
        header::ETAG,
        HeaderValue::from_str(etag).expect("an ETag made of hex digits is a valid header"),
    );
    caching.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    // The document changes with each publish: always revalidate, which is cheap (304).
    caching.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
