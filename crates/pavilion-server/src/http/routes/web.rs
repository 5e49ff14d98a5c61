//! The page shell and viewer files from the web folder, and the 3D assets under `/assets`.
//!
//! Only an allow-list leaves the web folder: its top-level page files (`*.html`, `*.js`,
//! `*.css`, `*.svg`, `*.ico`, `*.png`) and what is under `pkg/` (the built viewer). The
//! folder also holds `package.json`, browser tests and `node_modules/`, which stay private:
//! anything else is 404, as is any path with an empty, hidden (`.`-led) or odd segment.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::{Path as UrlPath, Request};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::app::AppState;
use crate::error::Error;

/// Extensions of the top-level web files that are served.
pub const PAGE_EXTENSIONS: [&str; 6] = ["html", "js", "css", "svg", "ico", "png"];
/// The folder of the built viewer, served whole (hidden files aside).
pub const VIEWER_FOLDER: &str = "pkg";

/// `/` is the visitor page; other page files and the viewer by allow-list; everything else
/// not claimed by the API or media is 404.
pub fn router(web_dir: &Path, assets_dir: &Path) -> Router<AppState> {
    let page_dir = web_dir.to_path_buf();
    let viewer_dir = web_dir.join(VIEWER_FOLDER);
    Router::new()
        .route_service("/", precompressed(web_dir.join("index.html")))
        .nest_service(
            "/assets",
            ServeDir::new(assets_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .route(
            "/{file}",
            get(move |UrlPath(file): UrlPath<String>, request: Request| {
                let page_dir = page_dir.clone();
                async move {
                    if !is_page_file(&file) {
                        return not_found(&file);
                    }
                    serve_file(page_dir.join(&file), request).await
                }
            }),
        )
        .route(
            "/pkg/{*rest}",
            get(move |UrlPath(rest): UrlPath<String>, request: Request| {
                let viewer_dir = viewer_dir.clone();
                async move {
                    if !rest.split('/').all(is_plain_segment) {
                        return not_found(&rest);
                    }
                    serve_file(viewer_dir.join(&rest), request).await
                }
            }),
        )
        .fallback(|request: Request| async move { not_found(request.uri().path()) })
}

fn precompressed(path: PathBuf) -> ServeFile {
    ServeFile::new(path).precompressed_br().precompressed_gzip()
}

async fn serve_file(path: PathBuf, request: Request) -> Response {
    match precompressed(path).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(infallible) => match infallible {},
    }
}

fn not_found(path: &str) -> Response {
    Error::not_found(format!("there is no page file at {path}")).into_response()
}

/// A file name of letters, digits, `.`, `_` and `-` that does not start with a `.`.
pub fn is_plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A top-level page file: a plain name with one of [`PAGE_EXTENSIONS`].
pub fn is_page_file(name: &str) -> bool {
    is_plain_segment(name)
        && name.rsplit_once('.').is_some_and(|(stem, extension)| {
            !stem.is_empty() && PAGE_EXTENSIONS.contains(&extension)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_top_level_page_files_are_allowed() {
        for good in [
            "index.html",
            "exhibitor.js",
            "style.css",
            "favicon.ico",
            "logo.svg",
            "og.png",
        ] {
            assert!(is_page_file(good), "{good}");
        }
        for bad in [
            "package.json",
            "package-lock.json",
            ".git",
            ".env",
            "..",
            ".html",
            "index.html.br",
            "playwright.config.mjs",
            "a b.html",
            "",
            "README.md",
        ] {
            assert!(!is_page_file(bad), "{bad}");
        }
        assert!(is_plain_segment("pavilion_viewer_bg.wasm"));
        assert!(!is_plain_segment(".gitignore"));
        assert!(!is_plain_segment(".."));
        assert!(!is_plain_segment(""));
    }
}
