//! `GET /api/v1/exhibitors` and `GET /api/v1/exhibitors/{slug}` from the published snapshot.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;

use crate::app::AppState;
use crate::error::Error;
use crate::http::extract::PathParams;

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

#[utoipa::path(get, path = "/api/v1/exhibitors", tag = "visitors",
    responses((status = 200, description = "Every exhibitor of the published hall, sorted by name", body = Vec<pavilion_model::ExhibitorSummary>)))]
pub(crate) async fn list(State(state): State<AppState>) -> Response {
    (JSON_HEADERS, state.published().exhibitors_json.clone()).into_response()
}

#[utoipa::path(get, path = "/api/v1/exhibitors/{slug}", tag = "visitors",
    params(("slug" = String, Path, description = "The exhibitor")),
    responses((status = 200, description = "The exhibitor's published booth: profile, products and media", body = pavilion_model::ExhibitorDetail),
        (status = 404, description = "No exhibitor of that slug in the published hall", body = crate::http::error::ErrorBody)))]
pub(crate) async fn detail(
    State(state): State<AppState>,
    PathParams(slug): PathParams<String>,
) -> Result<Response, Error> {
    let published = state.published();
    let detail = published.details.get(&slug).ok_or_else(|| {
        let shown: String = slug.chars().take(60).collect();
        Error::not_found(format!("no exhibitor has the slug {shown:?}"))
    })?;
    Ok((JSON_HEADERS, detail.clone()).into_response())
}
