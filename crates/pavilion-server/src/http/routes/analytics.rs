//! Visitor analytics over HTTP: the page's event batches (`POST /api/v1/events`, anonymous,
//! rate-limited per address, small bodies only; a browser that sends `DNT: 1` or `Sec-GPC: 1`
//! is not counted) and the hall's figures for staff (`GET /api/v1/staff/stats`). The
//! exhibitor's own figures are `GET /api/v1/me/stats` in `me.rs`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::analytics::events::MAX_BATCH_BYTES;
use crate::analytics::report::DEFAULT_BUSIEST;
use crate::analytics::{EventBatch, HallStats, Period, Recorded, hall_stats, record_events};
use crate::app::AppState;
use crate::db::StaffSession;
use crate::error::Error;
use crate::http::client_address::ClientAddress;
use crate::http::error::ErrorBody;
use crate::http::extract::{QueryParams, read_small_json};
use crate::time::unix_now;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/events", post(events))
        .route("/api/v1/staff/stats", get(staff_stats))
}

/// True when the browser asks not to be tracked (`DNT: 1`, or Global Privacy Control's
/// `Sec-GPC: 1`).
fn asks_not_to_be_tracked(headers: &HeaderMap) -> bool {
    ["dnt", "sec-gpc"].iter().any(|name| {
        headers
            .get(*name)
            .is_some_and(|value| value.as_bytes().trim_ascii() == b"1")
    })
}

/// Counts what a visitor did at booths. Only counts per booth and day are kept: no address,
/// browser or visitor identifier is stored. The whole batch is refused when any event is
/// wrong (an unknown booth or kind, a dwell without seconds or below 0); dwell above 600 s
/// counts as 600 s.
#[utoipa::path(post, path = "/api/v1/events", tag = "visitors",
    request_body(content = EventBatch, description = "At most 100 events and 16 KiB"),
    responses((status = 202, description = "Counted (or, with `DNT: 1` or `Sec-GPC: 1`, ignored: `recorded` is 0)", body = Recorded),
        (status = 400, description = "Not the batch JSON (an unknown kind, a wrong type); the message names the field", body = ErrorBody),
        (status = 413, description = "The body is over 16 KiB", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "Over 100 events, an unknown booth or a bad dwell time; `errors` lists each; nothing was counted", body = ErrorBody),
        (status = 429, description = "Too many batches from this address; wait `Retry-After` seconds", body = ErrorBody)))]
pub(crate) async fn events(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Recorded>), Error> {
    if asks_not_to_be_tracked(&headers) {
        return Ok((StatusCode::ACCEPTED, Json(Recorded { recorded: 0 })));
    }
    state.guard().events.admit(address).await?;
    let batch: EventBatch = read_small_json(&headers, body, MAX_BATCH_BYTES).await?;
    let recorded = record_events(state.store(), &state.published(), &batch, unix_now()).await?;
    Ok((StatusCode::ACCEPTED, Json(Recorded { recorded })))
}

/// A period of days, for figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day, `YYYY-MM-DD` (UTC); 29 days before `to` when left out.
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD` (UTC), included; today when left out. At most 366 days in all.
    pub to: Option<String>,
}

impl PeriodQuery {
    pub fn period(&self) -> Result<Period, Error> {
        Period::parse(self.from.as_deref(), self.to.as_deref(), unix_now())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BusiestQuery {
    /// Busiest booths to list, 1 to 100 (10 when left out).
    pub busiest: Option<u32>,
}

/// The whole hall's figures per day, its totals and the busiest booths by visits.
#[utoipa::path(get, path = "/api/v1/staff/stats", tag = "staff",
    security(("staff_session" = [])),
    params(PeriodQuery, BusiestQuery),
    responses((status = 200, body = HallStats),
        (status = 400, description = "A day that does not read, from after to, or over 366 days", body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub(crate) async fn staff_stats(
    State(state): State<AppState>,
    _staff: StaffSession,
    QueryParams(period): QueryParams<PeriodQuery>,
    QueryParams(busiest): QueryParams<BusiestQuery>,
) -> Result<Json<HallStats>, Error> {
    let stats = hall_stats(
        state.store(),
        period.period()?,
        busiest.busiest.unwrap_or(DEFAULT_BUSIEST),
    )
    .await?;
    Ok(Json(stats))
}
