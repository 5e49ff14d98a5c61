//! The staff's layout draft: `GET`/`PUT /api/v1/staff/layout`, one booth placed, moved,
//! turned or removed (`PATCH`/`DELETE /api/v1/staff/layout/booths/{slug}`), halls added and
//! removed, and `POST /api/v1/staff/layout/arrange`. A change that breaks a layout rule is
//! refused with 422 and every problem, and nothing is saved.
//!
//! The draft is versioned: every answer about it carries its `ETag` (`"<revision>"`, also the
//! `revision` field), and every write may send `If-Match` to be saved only over that version
//! (412 `stale_version` with the current `ETag` otherwise; see `http::versions`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use pavilion_model::layout::{self, HALL_GAP, LayoutProblem, StageAreaKind};
use pavilion_model::{BoothPlacement, BoothTier, Entrance, Footprint, Hall, Rotation, Topic};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::db::StaffSession;
use crate::error::Error;
use crate::hall::curation::{self, arrange_all, save_draft};
use crate::hall::publish::CONTEST_DESK_NAME;
use crate::hall::rules::{exhibitors_by_slug, layout_problems, programme_draft};
use crate::http::error::{ErrorBody, SignedIn};
use crate::http::extract::{JsonBody, PathParams};
use crate::http::versions::{IfMatchHeader, Precondition, StaleVersion, Versioned};
use crate::revision::Revision;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/layout", get(read).put(replace))
        .route("/api/v1/staff/layout/check", post(check))
        .route("/api/v1/staff/layout/arrange", post(auto_arrange))
        .route(
            "/api/v1/staff/layout/booths/{slug}",
            patch(place_booth).delete(remove_booth),
        )
        .route("/api/v1/staff/layout/halls", post(add_hall))
        .route("/api/v1/staff/layout/halls/{id}", delete(remove_hall))
}

/// An exhibitor as the floor-plan editor needs it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExhibitorEntry {
    pub slug: String,
    pub name: String,
    pub topic: Topic,
    pub tier: BoothTier,
    /// The footprint of the tier, before rotation.
    pub footprint: Footprint,
    pub placed: bool,
}

/// A stage the editor can give a stage area: each stage of the programme draft, and the
/// contest desk.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageEntry {
    /// The programme stage's id, or `contest` for the contest desk.
    pub stage: String,
    pub name: String,
    pub kind: StageAreaKind,
    /// The platform a new stage area of this kind starts with, before rotation.
    pub footprint: Footprint,
    /// The depth of the free audience floor in front of the platform.
    pub audience_depth: f32,
    /// True when the draft has a stage area for it.
    pub placed: bool,
}

/// The draft as the editor sees it: halls, the rules it breaks now (normally none), every
/// exhibitor (placed or not), every stage a stage area can show, and the aisle the rules ask
/// for.
#[derive(Debug, Serialize, ToSchema)]
pub struct LayoutView {
    pub halls: Vec<Hall>,
    pub updated_at: String,
    /// The draft's version, raised by one at every save (0 before the first); the `ETag`
    /// header gives it in quotes, and writes may send it back as `If-Match`.
    pub revision: u64,
    pub problems: Vec<LayoutProblem>,
    pub exhibitors: Vec<ExhibitorEntry>,
    /// The programme draft's stages and the contest desk, in that order.
    pub stages: Vec<StageEntry>,
    pub aisle: f32,
    pub entrance_clearance: f32,
}

async fn view(state: &AppState) -> Result<LayoutView, Error> {
    let draft = curation::draft(state.store()).await?;
    let (halls, updated_at) = (draft.halls, draft.updated_at);
    let exhibitors = exhibitors_by_slug(state.store()).await?;
    let programme = programme_draft(state.store()).await?;
    let problems = layout_problems(&halls, &exhibitors, programme.as_ref());
    let placed: std::collections::HashSet<&str> = halls
        .iter()
        .flat_map(|h| &h.booths)
        .map(|b| b.exhibitor.as_str())
        .collect();
    let mut entries: Vec<ExhibitorEntry> = exhibitors
        .values()
        .map(|record| ExhibitorEntry {
            slug: record.profile.slug().to_string(),
            name: record.profile.name().to_owned(),
            topic: record.profile.topic(),
            tier: record.profile.tier(),
            footprint: record.profile.tier().footprint(),
            placed: placed.contains(record.profile.slug().as_str()),
        })
        .collect();
    entries.sort_by(|a, b| a.slug.cmp(&b.slug));
    let staged: std::collections::HashSet<&str> = halls
        .iter()
        .flat_map(|h| &h.stages)
        .map(|s| s.stage.as_str())
        .collect();
    let stage = |id: &str, name: &str, kind: StageAreaKind| {
        let (footprint, audience_depth) = match kind {
            StageAreaKind::Stage => (Footprint::new(12.0, 5.0), layout::STAGE_AUDIENCE),
            StageAreaKind::Contest => (Footprint::new(4.0, 3.0), layout::CONTEST_AUDIENCE),
        };
        StageEntry {
            stage: id.to_owned(),
            name: name.to_owned(),
            kind,
            footprint,
            audience_depth,
            placed: staged.contains(id),
        }
    };
    let mut stages: Vec<StageEntry> = programme
        .iter()
        .flat_map(|p| &p.stages)
        .map(|s| stage(&s.id, &s.name, StageAreaKind::Stage))
        .collect();
    stages.push(stage(
        layout::CONTEST_DESK,
        CONTEST_DESK_NAME,
        StageAreaKind::Contest,
    ));
    Ok(LayoutView {
        halls,
        updated_at,
        revision: draft.revision.0,
        problems,
        exhibitors: entries,
        stages,
        aisle: layout::AISLE,
        entrance_clearance: layout::ENTRANCE_CLEARANCE,
    })
}

#[utoipa::path(get, path = "/api/v1/staff/layout", tag = "staff layout",
    security(("staff_session" = [])),
    responses((status = 200, description = "The draft, its problems and every exhibitor", body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))), SignedIn))]
pub(crate) async fn read(
    State(state): State<AppState>,
    _staff: StaffSession,
) -> Result<Response, Error> {
    versioned(StatusCode::OK, view(&state).await?)
}

/// The answer to a read or a saved edit: the view with its `ETag`.
fn versioned(status: StatusCode, view: LayoutView) -> Result<Response, Error> {
    Ok(Versioned {
        status,
        revision: Revision(view.revision),
        body: Json(view),
    }
    .into_response())
}

/// A whole layout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutBody {
    pub halls: Vec<Hall>,
}

#[utoipa::path(put, path = "/api/v1/staff/layout", tag = "staff layout",
    security(("staff_session" = [])),
    params(IfMatchHeader),
    request_body = LayoutBody,
    responses((status = 200, body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "Not the layout JSON, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "Breaks layout rules; `problems` lists each and nothing is saved", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    staff: StaffSession,
    precondition: Precondition,
    JsonBody(LayoutBody { halls }): JsonBody<LayoutBody>,
) -> Result<Response, Error> {
    let _curation = state.live().curation_lock().await?;
    let base = curation::draft_to_edit(state.store(), precondition.as_ref())
        .await?
        .revision;
    let booths: usize = halls.iter().map(|h| h.booths.len()).sum();
    save_draft(
        state.store(),
        &staff,
        base,
        &halls,
        "replace_layout",
        "layout",
        json!({ "halls": halls.len(), "booths": booths }),
    )
    .await?;
    versioned(StatusCode::OK, view(&state).await?)
}

/// Checks a layout without saving it: 200 with the problems (empty when valid).
#[utoipa::path(post, path = "/api/v1/staff/layout/check", tag = "staff layout",
    security(("staff_session" = [])),
    request_body = LayoutBody,
    responses((status = 200, description = "Every rule the layout breaks (empty when it keeps them all); nothing is saved", body = Vec<LayoutProblem>),
        (status = 400, description = "Not the layout JSON", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody)))]
pub(crate) async fn check(
    State(state): State<AppState>,
    _staff: StaffSession,
    JsonBody(LayoutBody { halls }): JsonBody<LayoutBody>,
) -> Result<Json<Vec<LayoutProblem>>, Error> {
    let exhibitors = exhibitors_by_slug(state.store()).await?;
    let programme = programme_draft(state.store()).await?;
    Ok(Json(layout_problems(
        &halls,
        &exhibitors,
        programme.as_ref(),
    )))
}

#[utoipa::path(post, path = "/api/v1/staff/layout/arrange", tag = "staff layout",
    security(("staff_session" = [])),
    params(IfMatchHeader),
    responses((status = 200, description = "A fresh automatic arrangement of every exhibitor, saved as the draft; halls with stage areas are kept (without booths) after the arranged halls", body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "A malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "The arrangement breaks rules (not expected)", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn auto_arrange(
    State(state): State<AppState>,
    staff: StaffSession,
    precondition: Precondition,
) -> Result<Response, Error> {
    let _curation = state.live().curation_lock().await?;
    let draft = curation::draft_to_edit(state.store(), precondition.as_ref()).await?;
    let base = draft.revision;
    let exhibitors = exhibitors_by_slug(state.store()).await?;
    let halls = arrange_all(&exhibitors, &draft.halls);
    save_draft(
        state.store(),
        &staff,
        base,
        &halls,
        "arrange_layout",
        "layout",
        json!({ "halls": halls.len(), "booths": exhibitors.len() }),
    )
    .await?;
    versioned(StatusCode::OK, view(&state).await?)
}

/// A booth placed or changed: any field left out keeps its value. A booth not yet in the
/// draft needs `hall` and `position`; its footprint always comes from the exhibitor's tier.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothChange {
    /// The hall to place the booth in (a booth not yet placed needs one).
    pub hall: Option<String>,
    /// The booth's centre, hall-local `[x, z]` in metres.
    pub position: Option<[f32; 2]>,
    /// Quarter turns from facing the entrance wall, 0 to 3.
    #[schema(value_type = Option<u8>, minimum = 0, maximum = 3)]
    pub rotation: Option<Rotation>,
    /// Quarter turns to add to the rotation (1 = a quarter turn counter-clockwise from above).
    pub turn: Option<i32>,
}

#[utoipa::path(patch, path = "/api/v1/staff/layout/booths/{slug}", tag = "staff layout",
    security(("staff_session" = [])),
    params(IfMatchHeader, ("slug" = String, Path, description = "The exhibitor")),
    request_body = BoothChange,
    responses((status = 200, body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "Not the JSON expected, a booth not yet placed without hall and position, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such exhibitor or hall", body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "The change breaks layout rules; nothing is saved", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn place_booth(
    State(state): State<AppState>,
    staff: StaffSession,
    PathParams(slug): PathParams<String>,
    precondition: Precondition,
    JsonBody(change): JsonBody<BoothChange>,
) -> Result<Response, Error> {
    let _curation = state.live().curation_lock().await?;
    let draft = curation::draft_to_edit(state.store(), precondition.as_ref()).await?;
    let (base, mut halls) = (draft.revision, draft.halls);
    let exhibitors = exhibitors_by_slug(state.store()).await?;
    let record = exhibitors
        .get(&slug)
        .ok_or_else(|| Error::not_found(format!("there is no exhibitor {slug}")))?;
    let tier = record.profile.tier();

    let found = halls.iter().enumerate().find_map(|(h, hall)| {
        hall.booths
            .iter()
            .position(|b| b.exhibitor == slug)
            .map(|b| (h, b))
    });
    let mut booth = match found {
        Some((h, b)) => halls[h].booths.remove(b),
        None => BoothPlacement {
            exhibitor: slug.clone(),
            position: change.position.ok_or_else(|| {
                Error::BadRequest(format!("{slug} is not placed yet: give a position"))
            })?,
            rotation: Rotation::FacingEntrance,
            footprint: tier.footprint(),
        },
    };
    let from_hall = found.map(|(h, _)| halls[h].id.clone());
    let to_hall = change
        .hall
        .clone()
        .or_else(|| from_hall.clone())
        .ok_or_else(|| Error::BadRequest(format!("{slug} is not placed yet: give a hall")))?;
    let target = halls
        .iter()
        .position(|h| h.id == to_hall)
        .ok_or_else(|| Error::not_found(format!("there is no hall {to_hall}")))?;
    if let Some(position) = change.position {
        booth.position = position;
    }
    if let Some(rotation) = change.rotation {
        booth.rotation = rotation;
    }
    if let Some(turn) = change.turn {
        booth.rotation = booth.rotation.turned(turn);
    }
    booth.footprint = tier.footprint();
    let detail = json!({
        "from_hall": from_hall,
        "hall": to_hall,
        "position": booth.position,
        "rotation": booth.rotation,
    });
    halls[target].booths.push(booth);
    let action = if found.is_some() {
        "move_booth"
    } else {
        "place_booth"
    };
    save_draft(state.store(), &staff, base, &halls, action, &slug, detail).await?;
    versioned(StatusCode::OK, view(&state).await?)
}

#[utoipa::path(delete, path = "/api/v1/staff/layout/booths/{slug}", tag = "staff layout",
    security(("staff_session" = [])),
    params(IfMatchHeader, ("slug" = String, Path, description = "The exhibitor")),
    responses((status = 200, body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "A path that does not parse, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "The exhibitor has no booth in the draft", body = ErrorBody),
        (status = 422, description = "The rest of the draft breaks layout rules", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn remove_booth(
    State(state): State<AppState>,
    staff: StaffSession,
    PathParams(slug): PathParams<String>,
    precondition: Precondition,
) -> Result<Response, Error> {
    let _curation = state.live().curation_lock().await?;
    let draft = curation::draft_to_edit(state.store(), precondition.as_ref()).await?;
    let (base, mut halls) = (draft.revision, draft.halls);
    let mut removed_from = None;
    for hall in &mut halls {
        let before = hall.booths.len();
        hall.booths.retain(|b| b.exhibitor != slug);
        if hall.booths.len() != before {
            removed_from = Some(hall.id.clone());
        }
    }
    let hall = removed_from
        .ok_or_else(|| Error::not_found(format!("{slug} has no booth in the draft")))?;
    save_draft(
        state.store(),
        &staff,
        base,
        &halls,
        "remove_booth",
        &slug,
        json!({ "hall": hall }),
    )
    .await?;
    versioned(StatusCode::OK, view(&state).await?)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHall {
    /// 1 to 80 characters.
    pub name: String,
    pub width: Option<f32>,
    pub depth: Option<f32>,
    /// Doorways; one 8 m doorway in the middle of the entrance wall when left out.
    pub entrances: Option<Vec<Entrance>>,
}

#[utoipa::path(post, path = "/api/v1/staff/layout/halls", tag = "staff layout",
    security(("staff_session" = [])),
    params(IfMatchHeader),
    request_body = NewHall,
    responses((status = 201, body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "Not the JSON expected, a name that is empty or too long, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 415, description = "Not sent as application/json", body = ErrorBody),
        (status = 422, description = "The new hall breaks layout rules; nothing is saved", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn add_hall(
    State(state): State<AppState>,
    staff: StaffSession,
    precondition: Precondition,
    JsonBody(request): JsonBody<NewHall>,
) -> Result<Response, Error> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::BadRequest(
            "a hall name has 1 to 80 characters".into(),
        ));
    }
    let _curation = state.live().curation_lock().await?;
    let draft = curation::draft_to_edit(state.store(), precondition.as_ref()).await?;
    let (base, mut halls) = (draft.revision, draft.halls);
    let number = (1..)
        .find(|n| !halls.iter().any(|h| h.id == format!("hall-{n}")))
        .unwrap_or(1);
    let width = request.width.unwrap_or(layout::HALL_WIDTH);
    let depth = request.depth.unwrap_or(40.0);
    let origin_x = halls
        .iter()
        .map(|h| h.origin[0] + h.width + HALL_GAP)
        .fold(0.0_f32, f32::max);
    let hall = Hall {
        id: format!("hall-{number}"),
        name: name.to_owned(),
        origin: [origin_x, 0.0],
        width,
        depth,
        entrances: request.entrances.unwrap_or_else(|| {
            vec![Entrance {
                x: width / 2.0,
                width: 8.0,
            }]
        }),
        sign_url: None,
        zones: Vec::new(),
        stages: Vec::new(),
        booths: Vec::new(),
    };
    let id = hall.id.clone();
    let detail = json!({ "name": hall.name, "width": width, "depth": depth });
    halls.push(hall);
    save_draft(state.store(), &staff, base, &halls, "add_hall", &id, detail).await?;
    versioned(StatusCode::CREATED, view(&state).await?)
}

#[utoipa::path(delete, path = "/api/v1/staff/layout/halls/{id}", tag = "staff layout",
    security(("staff_session" = [])),
    params(IfMatchHeader, ("id" = String, Path, description = "The hall")),
    responses((status = 200, body = LayoutView, headers(("ETag" = String, description = "The draft's version, to send back as If-Match"))),
        (status = 400, description = "A path that does not parse, or a malformed If-Match", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The hall still has booths or stage areas", body = ErrorBody),
        (status = 422, description = "The rest of the draft breaks layout rules", body = ErrorBody),
        StaleVersion))]
pub(crate) async fn remove_hall(
    State(state): State<AppState>,
    staff: StaffSession,
    PathParams(id): PathParams<String>,
    precondition: Precondition,
) -> Result<Response, Error> {
    let _curation = state.live().curation_lock().await?;
    let draft = curation::draft_to_edit(state.store(), precondition.as_ref()).await?;
    let (base, mut halls) = (draft.revision, draft.halls);
    let index = halls
        .iter()
        .position(|h| h.id == id)
        .ok_or_else(|| Error::not_found(format!("there is no hall {id}")))?;
    let booths = halls[index].booths.len();
    if booths > 0 {
        return Err(Error::Conflict(format!(
            "{id} still has {booths} booth(s): move or remove them first"
        )));
    }
    let stages = halls[index].stages.len();
    if stages > 0 {
        return Err(Error::Conflict(format!(
            "{id} still has {stages} stage area(s): move or remove them first"
        )));
    }
    let removed = halls.remove(index);
    save_draft(
        state.store(),
        &staff,
        base,
        &halls,
        "remove_hall",
        &id,
        json!({ "name": removed.name }),
    )
    .await?;
    versioned(StatusCode::OK, view(&state).await?)
}
