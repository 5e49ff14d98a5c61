//! The security headers every response carries, pages, API, media and errors alike: a
//! Content-Security-Policy that lets the page run its own scripts and the viewer's wasm and
//! nothing else, no referrer, no framing by other sites (the portal frames the hall to preview
//! a booth), and no content sniffing.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// Own scripts plus wasm compilation; own styles; images and media also from `data:` and
/// `blob:` (the viewer makes textures from fetched bytes); no plugins, no `<base>`, framed
/// only by our own pages; forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'";
pub const REFERRER_POLICY: &str = "no-referrer";
pub const FRAME_OPTIONS: &str = "SAMEORIGIN";

/// The headers, name and value.
pub fn security_headers() -> [(HeaderName, &'static str); 4] {
    [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, REFERRER_POLICY),
        (header::X_FRAME_OPTIONS, FRAME_OPTIONS),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ]
}

/// `router` with every response carrying the security headers (set over any a handler set).
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    security_headers()
        .into_iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::overriding(
                name,
                HeaderValue::from_static(value),
            ))
        })
}
