//! Cross-origin calls from static exports: the pages of an export served elsewhere (a CDN)
//! call this server for what needs it (analytics, leads, the contest). Only the origins staff
//! list with `--cors-origin` may; no credentials (cookies) ever cross, since the visitor API
//! uses none, and every other origin gets no CORS headers, so browsers refuse its calls.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::app::AppState;
use crate::origin::WebOrigin;

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// `router` answering cross-origin calls from `origins`; unchanged when there are none.
pub fn allow_exports(router: Router<AppState>, origins: &[WebOrigin]) -> Router<AppState> {
    if origins.is_empty() {
        return router;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin.as_str()).expect("a parsed origin is a valid header value")
        })
        .collect();
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .expose_headers([header::RETRY_AFTER, header::ETAG])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}
