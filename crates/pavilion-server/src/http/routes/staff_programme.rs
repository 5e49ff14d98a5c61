//! The staff's programme draft: `GET`/`PUT /api/v1/staff/programme`. A programme that breaks
//! a rule is refused with 422 `invalid_programme` and every problem, and nothing is saved.
//! Publishing (`POST /api/v1/staff/publish`) snapshots the draft with the hall.
//!
//! The draft is versioned like the layout draft: every answer carries its `ETag`
//! (`"<revision>"`, also the `revision` field), and a write may send `If-Match` to be saved
//! only over that version (412 `stale_version` with the current `ETag` otherwise).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pavilion_model::{Programme, ProgrammeProblem};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::db::StaffSession;
use crate::error::Error;
use crate::http::error::{ErrorBody, SignedIn};
use crate::http::extract::JsonBody;
use crate::http::versions::{IfMatchHeader, Precondition, StaleVersion, Versioned};
use crate::programme;
use crate::revision::Revision;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/staff/programme", get(read).put(replace))
}

/// The programme draft as the console sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeView {
    /// The draft; none before the first save when no seed programme was imported.
    pub programme: Option<Programme>,
    /// When it was last saved (empty when never).
    pub updated_at: String,
    /// The draft's version, raised by one at every save (0 before the first); the `ETag`
    /// header gives it in quotes, and writes may send it back as `If-Match`.
    pub revision: u64,
    /// The rules the draft breaks now (normally none: every save is checked).
    pub problems: Vec<ProgrammeProblem>,
}

async fn view(state: &AppState) -> Result<ProgrammeView, Error> {
    Ok(match programme::draft(state.store()).await? {
        Some(draft) => ProgrammeView {
            problems: draft.programme.validate(),
            programme: Some(draft.programme),
            updated_at: draft.updated_at,
            revision: draft.revision.0,
        },
        None => ProgrammeView {
            programme: None,
            updated_at: String::new(),
            revision: Revision::UNSAVED.0,
            problems: Vec::new(),
        },
    })
}

fn versioned(view: ProgrammeView) -> Response {
    Versioned {
        status: StatusCode::OK,
        revision: Revision(view.revision),
        body: Json(view),
    }
    .into_response()
}

#[utoipa::path(get, path = "/api/v1/staff/programme", tag = "staff programme",
    security(("staff_session" = [])),
    responses((status = 200, description = "The programme draft and the rules it breaks", body = ProgrammeView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))), SignedIn))]
pub(crate) async fn read(
    State(state): State<AppState>,
    _staff: StaffSession,
) -> Result<Response, Error> {
    Ok(versioned(view(&state).await?))
}

#[utoipa::path(put, path = "/api/v1/staff/programme", tag = "staff programme",
    security(("staff_session" = [])),
    params(IfMatchHeader),
    request_body = Programme,
    responses((status = 200, body = ProgrammeView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "Not the programme JSON (the message names the field), or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "Breaks programme rules (`invalid_programme`); `problems` lists each and nothing is saved", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    staff: StaffSession,
    precondition: Precondition,
    JsonBody(programme): JsonBody<Programme>,
) -> Result<Response, Error> {
    let _curation = state.live().curation_lock().await?;
    let base = programme::revision_to_edit(state.store(), precondition.as_ref()).await?;
    programme::save_draft(state.store(), &staff, base, &programme).await?;
    Ok(versioned(view(&state).await?))
}
