//! `GET /healthz`: liveness and the published version.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server is up; `published_version` is the hall visitors see", body = Object,
        example = json!({ "status": "ok", "published_version": 3 }))))]
pub(crate) async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "published_version": state.published().version }))
}
