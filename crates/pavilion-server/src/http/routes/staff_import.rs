//! `POST /api/v1/staff/import`: re-imports the server's seed catalogue through the running
//! server (admins only), under its curation lock, and answers with the import's report.
//! While a server runs, this is the only way to import: `pavilion import` is refused.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;

use crate::app::AppState;
use crate::catalogue::{ImportActor, ImportReport};
use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::RequireAdmin;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/staff/import", post(import))
}

/// Re-imports the catalogue folder the server was started with, as a seed: new exhibitors
/// are added and placed in the layout draft without moving any booth; exhibitors whose live
/// content is still the catalogue's are updated; content approved since is kept and each
/// such case reported as a conflict; nothing is deleted. The draft is not published (unless
/// nothing ever was): publish it when the report looks right. Audited as `import_catalogue`.
#[utoipa::path(post, path = "/api/v1/staff/import", tag = "staff",
    security(("staff_session" = [])),
    responses((status = 200, description = "What the import did", body = ImportReport),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 422, description = "The catalogue has problems (each listed); nothing was imported", body = ErrorBody)))]
pub(crate) async fn import(
    RequireAdmin(staff): RequireAdmin,
    State(state): State<AppState>,
) -> Result<Json<ImportReport>, Error> {
    let catalogue = state.catalogue_dir().to_path_buf();
    let report = state
        .reimport(&catalogue, ImportActor::Staff(&staff))
        .await?;
    Ok(Json(report))
}
