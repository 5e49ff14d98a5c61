//! Publishing and its history: `POST /api/v1/staff/publish` (422 with every problem when
//! the draft breaks a rule), `GET /api/v1/staff/versions`, `GET .../versions/{n}` (the stored
//! snapshot, byte for byte), `POST .../versions/{n}/rollback`, and `GET /api/v1/staff/audit`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::{StaffSession, VersionInfo};
use crate::error::Error;
use crate::hall::curation;
use crate::http::error::{ErrorBody, SignedIn};
use crate::http::extract::{PathParams, QueryParams};
use crate::http::versions::{IfMatchHeader, Precondition, StaleVersion};
use crate::staff::audit::{self, AuditEntry};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/publish", post(publish))
        .route("/api/v1/staff/versions", get(versions))
        .route("/api/v1/staff/versions/{version}", get(version))
        .route("/api/v1/staff/versions/{version}/rollback", post(rollback))
        .route("/api/v1/staff/audit", get(audit_log))
}

/// The version a publish or rollback made live.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveVersion {
    pub version: u64,
}

#[utoipa::path(post, path = "/api/v1/staff/publish", tag = "staff",
    security(("staff_session" = [])),
    params(IfMatchHeader),
    responses((status = 200, description = "Published: visitors see this version now", body = LiveVersion),
        (status = 400, description = "A malformed If-Match (the layout draft's ETag)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "The draft breaks layout rules; `problems` lists each", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn publish(
    State(state): State<AppState>,
    staff: StaffSession,
    precondition: Precondition,
) -> Result<Response, Error> {
    let version = curation::publish_draft(
        state.live(),
        state.store(),
        state.media(),
        state.renderer(),
        &staff,
        precondition.as_ref(),
    )
    .await?;
    Ok(Json(LiveVersion { version }).into_response())
}

#[utoipa::path(get, path = "/api/v1/staff/versions", tag = "staff",
    security(("staff_session" = [])),
    responses((status = 200, description = "Newest first", body = Vec<VersionInfo>), SignedIn))]
pub(crate) async fn versions(
    State(state): State<AppState>,
    _staff: StaffSession,
) -> Result<Json<Vec<VersionInfo>>, Error> {
    Ok(Json(curation::versions(state.store()).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/versions/{version}", tag = "staff",
    security(("staff_session" = [])),
    params(("version" = u64, Path)),
    responses((status = 200, description = "The stored snapshot, byte for byte", body = pavilion_model::HallSnapshot),
        (status = 400, description = "Not a version number", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn version(
    State(state): State<AppState>,
    _staff: StaffSession,
    PathParams(version): PathParams<u64>,
) -> Result<Response, Error> {
    let stored = curation::snapshot(state.store(), version).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        stored.document,
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/staff/versions/{version}/rollback", tag = "staff",
    security(("staff_session" = [])),
    params(("version" = u64, Path)),
    responses((status = 200, description = "Visitors see this older version now", body = LiveVersion),
        (status = 400, description = "Not a version number", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn rollback(
    State(state): State<AppState>,
    staff: StaffSession,
    PathParams(version): PathParams<u64>,
) -> Result<Response, Error> {
    let version = curation::rollback(state.live(), state.store(), &staff, version).await?;
    Ok(Json(LiveVersion { version }).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most this many entries, 1 to 500 (100 when left out).
    pub limit: Option<u32>,
    /// Only entries older than this id (for paging).
    pub before: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/staff/audit", tag = "staff",
    security(("staff_session" = [])),
    params(AuditQuery),
    responses((status = 200, description = "Newest first", body = Vec<AuditEntry>),
        (status = 400, description = "A query parameter that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    _staff: StaffSession,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, Error> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    Ok(Json(audit::list(state.store(), limit, query.before).await?))
}
