//! `GET /api/v1/programme`: the programme published with the live hall version, read-only,
//! pre-compressed, with ETag revalidation like `/api/v1/hall`; `GET /api/v1/programme/now`:
//! what is on each stage now and next, by the server's programme clock (`--clock`);
//! `GET /api/v1/programme/calendar.ics` and `.../sessions/{id}/calendar.ics`: the week or
//! one session for a calendar (`text/calendar`); `GET /api/v1/programme/stages/{id}/screen.png`:
//! a stage's big screen, what is on now and next as a PNG, revalidated by ETag.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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
use crate::http::cache::if_none_match_hits;
use crate::http::error::ErrorBody;
use crate::http::extract::PathParams;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/programme", get(programme))
        .route("/api/v1/programme/now", get(now_and_next))
        .route("/api/v1/programme/calendar.ics", get(week_calendar))
        .route(
            "/api/v1/programme/sessions/{session}/calendar.ics",
            get(session_calendar),
        )
        .route(
            "/api/v1/programme/stages/{stage}/screen.png",
            get(stage_screen),
        )
}

/// The header naming the session a stage's screen shows as on now (empty when none).
pub const SESSION_HEADER: &str = "x-pavilion-session";
/// The header naming the session a stage's screen shows as next (empty when none).
pub const NEXT_HEADER: &str = "x-pavilion-next";

#[utoipa::path(get, path = "/api/v1/programme/stages/{stage}/screen.png", tag = "visitors",
    params(("stage" = String, Path, description = "A stage's id in the published programme"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses((status = 200, description = "The stage's screen (1024 x 576): its name, the session on now (title, speakers, time) or \"Nothing on now\", and the next one (title, day, time), by the server's programme clock. `Cache-Control: no-cache` with a strong ETag that changes when the version, the session on now or the next one does", content_type = "image/png",
            headers(("ETag" = String, description = "Names the version, stage, session on now and next session"),
                ("X-Pavilion-Session" = String, description = "The id of the session shown as on now, or empty"),
                ("X-Pavilion-Next" = String, description = "The id of the session shown as next, or empty"))),
        (status = 304, description = "The screen has not changed since the ETag sent"),
        (status = 404, description = "No such stage in the published programme, or no programme published", body = ErrorBody)))]
pub(crate) async fn stage_screen(
    State(state): State<AppState>,
    PathParams(stage): PathParams<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let published = state.published();
    let minute_now =
        |programme: &pavilion_model::Programme| programme.minute_at_unix(state.clock().now_unix());
    let (screen, stages) = with_published(&state, |programme| {
        (
            crate::programme::screens::stage_screen(
                programme,
                published.version,
                &stage,
                minute_now(programme),
            ),
            programme.stages.len(),
        )
    })?;
    let screen = screen.ok_or_else(|| {
        Error::not_found(format!("the published programme has no stage {stage:?}"))
    })?;
    let etag = screen.key.etag();
    let mut answer_headers = HeaderMap::new();
    for (name, value) in [
        (SESSION_HEADER, screen.key.now.as_deref()),
        (NEXT_HEADER, screen.key.next.as_deref()),
    ] {
        let value = HeaderValue::from_str(value.unwrap_or("")).map_err(|_| {
            Error::Internal(format!(
                "a session id of stage {stage} is not a header value"
            ))
        })?;
        answer_headers.insert(name, value);
    }
    answer_headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("an ETag of digits, letters and dashes"),
    );
    answer_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| if_none_match_hits(value, &[etag.as_str()]));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, answer_headers).into_response());
    }
    let png = state
        .stage_screens()
        .picture(state.renderer(), screen, stages)
        .await?;
    answer_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    Ok((answer_headers, png).into_response())
}

/// `read` applied to the published programme, or 404 naming the version published without
/// one.
fn with_published<T>(
    state: &AppState,
    read: impl FnOnce(&pavilion_model::Programme) -> T,
) -> Result<T, Error> {
    let published = state.published();
    match &published.programme {
        Some(programme) => Ok(read(&programme.programme)),
        None => Err(Error::not_found(format!(
            "version {} of the hall was published without a programme",
            published.version
        ))),
    }
}

/// An iCalendar answer, to be saved as `filename`.
fn calendar_response(body: String, filename: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[utoipa::path(get, path = "/api/v1/programme/calendar.ics", tag = "visitors",
    responses((status = 200, description = "Every session of the published programme as iCalendar (RFC 5545: CRLF lines, folded at 75 octets, times in UTC)", content_type = "text/calendar"),
        (status = 404, description = "The live version was published without a programme", body = ErrorBody)))]
pub(crate) async fn week_calendar(State(state): State<AppState>) -> Result<Response, Error> {
    let now = crate::time::unix_now();
    let body = with_published(&state, |programme| {
        crate::programme::ics::week_calendar(programme, now)
    })?;
    Ok(calendar_response(body, "cyber-security-week.ics"))
}

#[utoipa::path(get, path = "/api/v1/programme/sessions/{session}/calendar.ics", tag = "visitors",
    params(("session" = String, Path, description = "A session's id")),
    responses((status = 200, description = "One session as iCalendar", content_type = "text/calendar"),
        (status = 404, description = "No such session in the published programme", body = ErrorBody)))]
pub(crate) async fn session_calendar(
    State(state): State<AppState>,
    PathParams(session): PathParams<String>,
) -> Result<Response, Error> {
    let now = crate::time::unix_now();
    let body = with_published(&state, |programme| {
        crate::programme::ics::session_calendar(programme, &session, now)
    })?
    .ok_or_else(|| Error::not_found(format!("the programme has no session {session:?}")))?;
    // The id is slug-like (the programme's rules), so it is safe in a file name.
    Ok(calendar_response(body, &format!("{session}.ics")))
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
    serve_prepared(&headers, &programme.document)
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
