//! The staff's side of the contest: `GET /api/v1/staff/contest/sets` (every set with its
//! answers and attempt count), `PUT`/`DELETE /api/v1/staff/contest/sets/{set}` (422
//! `invalid_question_set` with every problem; 409 `set_in_play` once somebody has played it)
//! and `GET /api/v1/staff/contest/results.csv` (every attempt, for a spreadsheet).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pavilion_model::QuestionSet;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::contest::{self, export};
use crate::db::StaffSession;
use crate::error::Error;
use crate::http::error::{ErrorBody, SignedIn};
use crate::http::extract::{JsonBody, PathParams};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/contest/sets", get(list))
        .route(
            "/api/v1/staff/contest/sets/{set}",
            axum::routing::put(save).delete(delete),
        )
        .route("/api/v1/staff/contest/results.csv", get(results))
}

/// A set as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSet {
    pub set: QuestionSet,
    pub updated_at: String,
    /// Attempts started; a set with any is frozen.
    pub attempts: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSets {
    pub sets: Vec<StaffSet>,
}

#[utoipa::path(get, path = "/api/v1/staff/contest/sets", tag = "staff contest",
    security(("staff_session" = [])),
    responses((status = 200, description = "Every set with its answers and attempts", body = StaffSets), SignedIn))]
pub(crate) async fn list(
    State(state): State<AppState>,
    _staff: StaffSession,
) -> Result<Json<StaffSets>, Error> {
    let sets = contest::sets(state.store())
        .await?
        .into_iter()
        .map(|stored| StaffSet {
            set: stored.set,
            updated_at: stored.updated_at,
            attempts: stored.attempts,
        })
        .collect();
    Ok(Json(StaffSets { sets }))
}

#[utoipa::path(put, path = "/api/v1/staff/contest/sets/{set}", tag = "staff contest",
    security(("staff_session" = [])),
    params(("set" = String, Path, description = "The set's id, as in the body")),
    request_body = QuestionSet,
    responses((status = 200, description = "Saved (created or replaced)", body = StaffSet),
        (status = 400, description = "Not a question set, or the id differs from the path's", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 409, description = "`set_in_play`: visitors have played it", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "`invalid_question_set` with every problem; nothing saved", body = ErrorBody)))]
pub(crate) async fn save(
    State(state): State<AppState>,
    staff: StaffSession,
    PathParams(id): PathParams<String>,
    JsonBody(set): JsonBody<QuestionSet>,
) -> Result<Json<StaffSet>, Error> {
    if set.id != id {
        return Err(Error::BadRequest(format!(
            "the body's id {:?} is not the path's {id:?}",
            set.id
        )));
    }
    contest::save_set(state.store(), &staff, &set).await?;
    let stored = contest::set(state.store(), &id).await?;
    Ok(Json(StaffSet {
        set: stored.set,
        updated_at: stored.updated_at,
        attempts: stored.attempts,
    }))
}

#[utoipa::path(delete, path = "/api/v1/staff/contest/sets/{set}", tag = "staff contest",
    security(("staff_session" = [])),
    params(("set" = String, Path)),
    responses((status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`set_in_play`", body = ErrorBody)))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    staff: StaffSession,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, Error> {
    contest::delete_set(state.store(), &staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/staff/contest/results.csv", tag = "staff contest",
    security(("staff_session" = [])),
    responses((status = 200, description = "Every attempt as CSV (RFC 4180, CRLF lines): set, nickname, score, correct, questions, answered, time_ms, started_at, finished_at", content_type = "text/csv"), SignedIn))]
pub(crate) async fn results(
    State(state): State<AppState>,
    _staff: StaffSession,
) -> Result<Response, Error> {
    let body = axum::body::Body::from_stream(export::results_stream(state.store().clone()));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"contest-results.csv\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
