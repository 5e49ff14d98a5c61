//! `GET /api/v1/exhibitors` and `GET /api/v1/exhibitors/{slug}` from the published snapshot.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;

use crate::app::AppState;
use crate::error::Error;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/exhibitors", get(list))
        .route("/api/v1/exhibitors/{slug}", get(detail))
        .layer(CompressionLayer::new())
}

const JSON_HEADERS: [(header::HeaderName, &str); 2] = [
    (header::CONTENT_TYPE, "application/json"),
    (header::CACHE_CONTROL, "no-cache"),
];

async fn list(State(state): State<AppState>) -> Response {
    (JSON_HEADERS, state.published().exhibitors_json.clone()).into_response()
}

async fn detail(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, Error> {
    let published = state.published();
    let detail = published.details.get(&slug).ok_or_else(|| {
        let shown: String = slug.chars().take(60).collect();
        Error::not_found(format!("no exhibitor has the slug {shown:?}"))
    })?;
    Ok((JSON_HEADERS, detail.clone()).into_response())
}
