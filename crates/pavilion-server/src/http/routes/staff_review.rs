//! Staff side of the exhibitor content API: the review queue (list, approve, reject with a
//! reason) and exhibitor tokens (issue, list, revoke). Review is for any signed-in staff
//! member; tokens are for admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::StaffSession;
use crate::error::Error;
use crate::exhibitor::content::{self, Submission, SubmissionStatus};
use crate::exhibitor::review;
use crate::exhibitor::tokens::{self as exhibitor, IssuedToken, TokenInfo};
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, OptionalJsonBody, PathParams, QueryParams, RequireAdmin};
use crate::staff::audit;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/submissions", get(list_submissions))
        .route("/api/v1/staff/submissions/{id}", get(get_submission))
        .route("/api/v1/staff/submissions/{id}/approve", post(approve))
        .route("/api/v1/staff/submissions/{id}/reject", post(reject))
        .route(
            "/api/v1/staff/exhibitors/{slug}/tokens",
            get(list_tokens).post(create_token),
        )
        .route("/api/v1/staff/exhibitor-tokens/{id}", delete(revoke_token))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `pending` (the default), `approved`, `rejected` or `superseded`.
    pub status: Option<SubmissionStatus>,
}

#[utoipa::path(get, path = "/api/v1/staff/submissions", tag = "staff review",
    security(("staff_session" = [])),
    params(QueueQuery),
    responses((status = 200, description = "Oldest first", body = Vec<Submission>),
        (status = 401, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody)))]
pub(crate) async fn list_submissions(
    _staff: StaffSession,
    State(state): State<AppState>,
    QueryParams(query): QueryParams<QueueQuery>,
) -> Result<Json<Vec<Submission>>, Error> {
    let status = query.status.unwrap_or(SubmissionStatus::Pending);
    Ok(Json(
        content::submissions_with_status(state.store(), status).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/staff/submissions/{id}", tag = "staff review",
    security(("staff_session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Submission),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody)))]
pub(crate) async fn get_submission(
    _staff: StaffSession,
    State(state): State<AppState>,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Submission>, Error> {
    Ok(Json(content::submission(state.store(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/staff/submissions/{id}/approve", tag = "staff review",
    security(("staff_session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "Approved: visitors see it from the next publish", body = Submission),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not waiting for review", body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody)))]
pub(crate) async fn approve(
    staff: StaffSession,
    State(state): State<AppState>,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Submission>, Error> {
    // Approval changes what publish reads: hold the curation lock so a publish sees the
    // exhibitor's content wholly before or wholly after it.
    let _curation = state.live().curation_lock().await?;
    Ok(Json(
        review::approve(state.store(), state.signage_sources(), id, &staff).await?,
    ))
}

/// Why a submission is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Shown to the exhibitor; say what to change.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/staff/submissions/{id}/reject", tag = "staff review",
    security(("staff_session" = [])),
    params(("id" = i64, Path)),
    request_body = Rejection,
    responses((status = 200, body = Submission),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody)))]
pub(crate) async fn reject(
    staff: StaffSession,
    State(state): State<AppState>,
    PathParams(id): PathParams<i64>,
    JsonBody(rejection): JsonBody<Rejection>,
) -> Result<Json<Submission>, Error> {
    Ok(Json(
        review::reject(state.store(), id, &staff, &rejection.reason).await?,
    ))
}

/// A new token's note on who holds it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    #[serde(default)]
    pub label: String,
    /// Days until the token stops working, 1 to 400; it works until revoked when left out.
    #[serde(default)]
    pub valid_days: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/staff/exhibitors/{slug}/tokens", tag = "exhibitor tokens",
    security(("staff_session" = [])),
    params(("slug" = String, Path)),
    request_body = NewToken,
    responses((status = 201, description = "The token, shown this once", body = IssuedToken),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody)))]
pub(crate) async fn create_token(
    RequireAdmin(staff): RequireAdmin,
    State(state): State<AppState>,
    PathParams(slug): PathParams<String>,
    OptionalJsonBody(request): OptionalJsonBody<NewToken>,
) -> Result<Response, Error> {
    let issued = exhibitor::create_token(
        state.store(),
        &slug,
        &request.label,
        &staff.name,
        request.valid_days,
    )
    .await?;
    audit::record(
        state.store(),
        &staff,
        "create_exhibitor_token",
        &slug,
        json!({ "token": issued.id, "label": issued.label, "expires_at": issued.expires_at }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[utoipa::path(get, path = "/api/v1/staff/exhibitors/{slug}/tokens", tag = "exhibitor tokens",
    security(("staff_session" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, description = "Newest first, never the secrets", body = Vec<TokenInfo>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody)))]
pub(crate) async fn list_tokens(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    PathParams(slug): PathParams<String>,
) -> Result<Json<Vec<TokenInfo>>, Error> {
    Ok(Json(
        exhibitor::list_tokens(state.store(), Some(&slug)).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/staff/exhibitor-tokens/{id}", tag = "exhibitor tokens",
    security(("staff_session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "Revoked from the next request on", body = TokenInfo),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 400, description = "A body, path or query that does not parse; the message names the field", body = ErrorBody)))]
pub(crate) async fn revoke_token(
    RequireAdmin(staff): RequireAdmin,
    State(state): State<AppState>,
    PathParams(id): PathParams<i64>,
) -> Result<Json<TokenInfo>, Error> {
    let info = exhibitor::revoke_token(state.store(), id).await?;
    audit::record(
        state.store(),
        &staff,
        "revoke_exhibitor_token",
        &info.exhibitor,
        json!({ "token": id }),
    )
    .await?;
    Ok(Json(info))
}
