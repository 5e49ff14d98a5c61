//! `GET /media/{sha256}.{ext}`: content-addressed, immutable media from the media store.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::Error;
use crate::http_cache::if_none_match_hits;
use crate::media::MediaName;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // A catch-all, so names with slashes get the same JSON 404 instead of reaching the page files.
    Router::new()
        .route("/media", get(no_name))
        .route("/media/", get(no_name))
        .route("/media/{*name}", get(media))
}

async fn no_name() -> Error {
    Error::not_found("name a media file: /media/<sha256>.<ext>")
}

async fn media(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let not_found = || Error::not_found("there is no such media file");
    let name = MediaName::parse(&name).ok_or_else(not_found)?;
    let etag = name.etag();
    let immutable = [
        (header::ETAG, etag.clone()),
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ];
    let path = state.media().path_of(&name.sha256, name.extension);
    let revalidating = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| if_none_match_hits(value, &[&etag]));
    if revalidating && tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok((StatusCode::NOT_MODIFIED, immutable).into_response());
    }
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    Ok((
        immutable,
        [(header::CONTENT_TYPE, name.content_type)],
        bytes,
    )
        .into_response())
}
