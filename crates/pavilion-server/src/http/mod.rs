//! The HTTP surface, the top layer: the router ([`app`]), extractors, the error body,
//! caching helpers, the OpenAPI document and one routes module per area. Nothing below this
//! module imports it.

pub mod cache;
pub mod client_address;
pub mod cors;
pub mod error;
pub mod export;
pub mod extract;
pub mod headers;
pub mod limits;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod versions;
pub mod zero_copy;

use axum::Router;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::error::Error;
use routes::{
    analytics, contest, exhibitors, hall, health, leads, me, media, programme, staff_contest,
    staff_import, staff_layout, staff_programme, staff_publish, staff_review, staff_sessions, web,
};

/// The whole application: API, media, and the page and viewer files.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(hall::router())
        .merge(programme::router())
        .merge(staff_programme::router())
        .merge(staff_contest::router())
        .merge(exhibitors::router())
        .merge(staff_sessions::router())
        .merge(staff_layout::router())
        .merge(staff_publish::router())
        .merge(staff_import::router())
        .merge(me::router())
        // Their own 405 answer first, so the CORS layer wraps it and preflights (OPTIONS)
        // reach the layer.
        .merge(cors::allow_exports(
            Router::new()
                .merge(contest::router())
                .merge(analytics::router())
                .merge(leads::router())
                .method_not_allowed_fallback(method_not_allowed),
            state.cors_origins(),
        ))
        .merge(staff_review::router())
        .merge(openapi::router())
        .route("/api", axum::routing::any(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    let routes = Router::new()
        .merge(health::router())
        .merge(api)
        .merge(media::router())
        .merge(web::router(state.web_dir(), state.assets_dir()))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(limits::DeadlineLayer::new(&state.guard().limits));
    headers::with_security_headers(routes)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn api_not_found(uri: axum::http::Uri) -> Error {
    Error::not_found(format!("there is no API endpoint at {}", uri.path()))
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
