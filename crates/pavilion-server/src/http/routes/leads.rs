//! Leads over HTTP: a visitor leaves one for a booth (`POST /api/v1/booths/{slug}/leads`,
//! anonymous, rate-limited per address, consent required) after reading the policy
//! (`GET /api/v1/leads/policy`); the exhibitor lists, exports (CSV) and deletes its own under
//! `/api/v1/me/leads`; staff admins set the retention (`PUT /api/v1/staff/leads/retention`).
//! Answers carrying leads are `Cache-Control: no-store`: they hold personal data.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::Error;
use crate::exhibitor::tokens::ExhibitorAuth;
use crate::http::client_address::ClientAddress;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, PathParams, RequireAdmin, read_small_json};
use crate::leads::intake::MAX_LEAD_BYTES;
use crate::leads::{
    Lead, LeadPolicy, LeadReceipt, NewLead, booth_leads, delete_lead, leads_csv, leave_lead,
    policy, set_retention,
};
use crate::time::{day_of_unix, format_day, unix_now};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/booths/{slug}/leads", post(leave))
        .route("/api/v1/leads/policy", get(read_policy))
        .route("/api/v1/me/leads", get(list))
        .route("/api/v1/me/leads.csv", get(export))
        .route("/api/v1/me/leads/{id}", delete(remove))
        .route("/api/v1/staff/leads/retention", put(change_retention))
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Leaves a message for a booth: name, e-mail address and message, with `consent: true` (the
/// visitor ticked the box agreeing to the policy's consent statement). Kept for the retention
/// period at most.
#[utoipa::path(post, path = "/api/v1/booths/{slug}/leads", tag = "visitors",
    params(("slug" = String, Path, description = "The booth's exhibitor slug")),
    request_body(content = NewLead, description = "At most 16 KiB"),
    responses((status = 201, description = "Stored for the exhibitor", body = LeadReceipt),
        (status = 400, description = "Not the lead JSON; the message names the field", body = ErrorBody),
        (status = 404, description = "No such booth in the published hall", body = ErrorBody),
        (status = 409, description = "The booth holds as many leads as it may", body = ErrorBody),
        (status = 413, description = "The body is over 16 KiB", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "A field needs attention (the consent box unticked, an address that is not one, a message over 2,000 characters); `errors` lists each; nothing was stored", body = ErrorBody),
        (status = 429, description = "Too many messages from this address; wait `Retry-After` seconds", body = ErrorBody)))]
pub(crate) async fn leave(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    PathParams(slug): PathParams<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<LeadReceipt>), Error> {
    state.guard().leads.admit(address).await?;
    let lead: NewLead = read_small_json(&headers, body, MAX_LEAD_BYTES).await?;
    let receipt = leave_lead(state.store(), &state.published(), &slug, &lead, unix_now()).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// How long leads are kept and the consent statement a visitor agrees to.
#[utoipa::path(get, path = "/api/v1/leads/policy", tag = "visitors",
    responses((status = 200, body = LeadPolicy)))]
pub(crate) async fn read_policy(State(state): State<AppState>) -> Result<Json<LeadPolicy>, Error> {
    Ok(Json(policy(state.store()).await?))
}

/// The booth's leads, newest first.
#[utoipa::path(get, path = "/api/v1/me/leads", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, body = Vec<Lead>), (status = 401, body = ErrorBody)))]
pub(crate) async fn list(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    let leads = booth_leads(state.store(), &auth.slug).await?;
    Ok(no_store(Json(leads).into_response()))
}

/// The booth's leads as CSV (UTF-8 with a byte order mark; every field quoted; a cell that
/// could run as a spreadsheet formula starts with `'`).
#[utoipa::path(get, path = "/api/v1/me/leads.csv", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    responses((status = 200, description = "id, received_at, name, email, message; newest first", content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn export(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    let leads = booth_leads(state.store(), &auth.slug).await?;
    let file = format!(
        "attachment; filename=\"leads-{}-{}.csv\"",
        auth.slug,
        format_day(day_of_unix(unix_now()))
    );
    let disposition = HeaderValue::from_str(&file)
        .map_err(|_| Error::Internal("a slug that is not a header value".into()))?;
    let response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        leads_csv(&leads),
    )
        .into_response();
    Ok(no_store(response))
}

/// Deletes one of the booth's leads (a visitor asked, or it was dealt with).
#[utoipa::path(delete, path = "/api/v1/me/leads/{id}", tag = "exhibitor",
    security(("exhibitor_token" = [])),
    params(("id" = i64, Path, description = "The lead's id")),
    responses((status = 204, description = "Deleted"),
        (status = 400, description = "Not a lead id", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "The booth has no such lead", body = ErrorBody)))]
pub(crate) async fn remove(
    auth: ExhibitorAuth,
    State(state): State<AppState>,
    PathParams(id): PathParams<i64>,
) -> Result<StatusCode, Error> {
    delete_lead(state.store(), &auth.slug, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new retention period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionChange {
    /// Days leads are kept, 1 to 730.
    pub retention_days: u32,
}

/// The retention set, and what it deleted at once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionSet {
    pub retention_days: u32,
    /// Leads older than the new period, deleted now.
    pub deleted: u64,
}

/// Sets how long leads are kept; leads older than that are deleted at once (and by the
/// hourly sweep from then on). Audited as `set_lead_retention`.
#[utoipa::path(put, path = "/api/v1/staff/leads/retention", tag = "staff",
    security(("staff_session" = [])),
    request_body = RetentionChange,
    responses((status = 200, body = RetentionSet),
        (status = 400, description = "Not the JSON expected; the message names the field", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "Outside 1 to 730 days", body = ErrorBody)))]
pub(crate) async fn change_retention(
    RequireAdmin(staff): RequireAdmin,
    State(state): State<AppState>,
    JsonBody(change): JsonBody<RetentionChange>,
) -> Result<Json<RetentionSet>, Error> {
    let deleted = set_retention(state.store(), change.retention_days, &staff, unix_now()).await?;
    Ok(Json(RetentionSet {
        retention_days: change.retention_days,
        deleted,
    }))
}
