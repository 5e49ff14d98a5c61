//! The page shell and viewer files from the web folder, and the 3D assets under `/assets`.

use std::path::Path;

use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::app::AppState;

/// `/` is the visitor page; any other path not claimed by the API or media falls through to
/// the web folder, preferring `.br` and `.gz` siblings when the client accepts them.
pub fn router(web_dir: &Path, assets_dir: &Path) -> Router<AppState> {
    Router::new()
        .route_service(
            "/",
            ServeFile::new(web_dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .nest_service(
            "/assets",
            ServeDir::new(assets_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .fallback_service(
            ServeDir::new(web_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
}
