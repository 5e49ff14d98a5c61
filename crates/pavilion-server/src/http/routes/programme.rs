//! `GET /api/v1/programme`: the programme published with the live hall version, read-only,
//! pre-compressed, with ETag revalidation like `/api/v1/hall`.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::hall::serve_prepared;
use crate::app::AppState;
use crate::error::Error;
use crate::http::error::ErrorBody;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/programme", get(programme))
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
