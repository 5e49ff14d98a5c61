//! `GET /api/v1/hall`: the published snapshot, pre-compressed, with ETag revalidation.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;
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
    let encoding = negotiate_encoding(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let caching = [
        (header::ETAG, published.etag(encoding)),
        (header::VARY, "Accept-Encoding".to_owned()),
        // The snapshot changes with each publish: always revalidate, which is cheap (304).
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    let etags = published.all_etags();
    let etags: Vec<&str> = etags.iter().map(String::as_str).collect();
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| if_none_match_hits(value, &etags));
    if not_modified {
        return (StatusCode::NOT_MODIFIED, caching).into_response();
    }
    let mut response = (
        caching,
        [(header::CONTENT_TYPE, "application/json")],
        published.body(encoding),
    )
        .into_response();
    if let Some(coding) = encoding.header_value() {
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static(coding),
        );
    }
    response
}
