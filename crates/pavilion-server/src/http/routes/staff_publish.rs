//! Publishing and its history: `POST /api/v1/staff/publish` (422 with every problem when
//! the draft breaks a rule), `GET /api/v1/staff/versions`, `GET .../versions/{n}` (the stored
//! snapshot, byte for byte), `POST .../versions/{n}/rollback`, and `GET /api/v1/staff/audit`.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::db::{StaffSession, VersionInfo};
use crate::error::Error;
use crate::hall::curation;
use crate::staff::audit::{self, AuditEntry};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/publish", post(publish))
        .route("/api/v1/staff/versions", get(versions))
        .route("/api/v1/staff/versions/{version}", get(version))
        .route("/api/v1/staff/versions/{version}/rollback", post(rollback))
        .route("/api/v1/staff/audit", get(audit_log))
}

async fn publish(State(state): State<AppState>, staff: StaffSession) -> Result<Response, Error> {
    let version = curation::publish_draft(
        state.live(),
        state.store(),
        state.media(),
        state.renderer(),
        &staff,
    )
    .await?;
    Ok(Json(json!({ "version": version })).into_response())
}

async fn versions(
    State(state): State<AppState>,
    _staff: StaffSession,
) -> Result<Json<Vec<VersionInfo>>, Error> {
    Ok(Json(curation::versions(state.store()).await?))
}

async fn version(
    State(state): State<AppState>,
    _staff: StaffSession,
    Path(version): Path<u64>,
) -> Result<Response, Error> {
    let stored = curation::snapshot(state.store(), version).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        stored.document,
    )
        .into_response())
}

async fn rollback(
    State(state): State<AppState>,
    staff: StaffSession,
    Path(version): Path<u64>,
) -> Result<Response, Error> {
    let version = curation::rollback(state.live(), state.store(), &staff, version).await?;
    Ok(Json(json!({ "version": version })).into_response())
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<u32>,
    before: Option<i64>,
}

async fn audit_log(
    State(state): State<AppState>,
    _staff: StaffSession,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, Error> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    Ok(Json(audit::list(state.store(), limit, query.before).await?))
}
