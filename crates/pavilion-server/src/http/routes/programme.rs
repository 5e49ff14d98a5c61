//! `GET /api/v1/programme`: the programme published with the live hall version, read-only,
//! pre-compressed, with ETag revalidation like `/api/v1/hall`; `GET /api/v1/programme/now`:
//! what is on each stage now and next, by the server's programme clock (`--clock`).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pavilion_model::StageNowNext;
use pavilion_model::programme::Day;
use serde::Serialize;
use utoipa::ToSchema;

use super::hall::serve_prepared;
use crate::app::AppState;
use crate::error::Error;
use crate::http::error::ErrorBody;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/programme", get(programme))
        .route("/api/v1/programme/now", get(now_and_next))
}

#[utoipa::path(get, path = "/api/v1/programme", tag = "visitors",
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses((status = 200, description = "The programme published with the live hall (brotli or gzip when accepted), with a strong ETag and `Cache-Control: no-cache`", body = pavilion_model::Programme),
        (status = 304, description = "The programme has not changed since the ETag sent"),
        (status = 404, description = "The live version was published without a programme", body = ErrorBody)))]
pub(crate) async fn programme(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let published = state.published();
    let Some(programme) = &published.programme else {
        return Error::not_found(format!(
            "version {} of the hall was published without a programme",
            published.version
        ))
        .into_response();
    };
    serve_prepared(
        &headers,
        |encoding| programme.body(encoding),
        |encoding| programme.etag(encoding),
        &programme.all_etags(),
    )
}

/// What is on now and next, per stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeNow {
    /// The time by the server's programme clock, RFC 3339 in UTC.
    pub now: String,
    /// The hall version whose programme this is.
    pub version: u64,
    /// The programme's day it is now in the week's time zone, if the week is on.
    pub day: Option<Day>,
    /// Every stage, in the programme's order.
    pub stages: Vec<StageNowNext>,
}

#[utoipa::path(get, path = "/api/v1/programme/now", tag = "visitors",
    responses((status = 200, description = "Per stage, the session on now and the next one, by the server's programme clock; cacheable for 30 s", body = ProgrammeNow),
        (status = 404, description = "The live version was published without a programme", body = ErrorBody)))]
pub(crate) async fn now_and_next(State(state): State<AppState>) -> Response {
    let published = state.published();
    let Some(programme) = &published.programme else {
        return Error::not_found(format!(
            "version {} of the hall was published without a programme",
            published.version
        ))
        .into_response();
    };
    let clock = state.clock();
    let programme = &programme.programme;
    let minute = programme.minute_at_unix(clock.now_unix());
    let body = ProgrammeNow {
        now: clock.now_rfc3339(),
        version: published.version,
        day: programme.day_at(minute).cloned(),
        stages: programme.now_and_next(minute),
    };
    let mut response = Json(body).into_response();
    // It changes by the minute at most: shared caches may keep it for half of one.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    response
}
