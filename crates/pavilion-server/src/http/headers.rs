//! The security headers every response carries, pages, API, media and errors alike: a
//! Content-Security-Policy that lets the page run its own scripts and the viewer's wasm and
//! nothing else, no referrer, no framing, and no content sniffing. The one exception is the
//! hall page, which our own pages may frame (the exhibitor portal previews a booth in it);
//! other sites may frame nothing.

use std::task::{Context, Poll};

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Request, header};
use axum::response::Response;
use futures_util::FutureExt as _;
use futures_util::future::Map;
use tower::{Layer, Service};

/// The policy with the given `frame-ancestors` source: own scripts plus wasm compilation; own
/// styles; images and media also from `data:` and `blob:` (the viewer makes textures from
/// fetched bytes); no plugins, no `<base>`; forms post only here.
macro_rules! policy_framed_by {
    ($ancestors:literal) => {
        concat!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; ",
            "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; ",
            "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; ",
            "frame-ancestors ",
            $ancestors
        )
    };
}
/// Every response but the hall page: nothing may frame it.
pub const CONTENT_SECURITY_POLICY: &str = policy_framed_by!("'none'");
/// The hall page (`/`, `/index.html`): framed by our own pages only.
pub const HALL_PAGE_CONTENT_SECURITY_POLICY: &str = policy_framed_by!("'self'");
pub const REFERRER_POLICY: &str = "no-referrer";
pub const FRAME_OPTIONS: &str = "DENY";
pub const HALL_PAGE_FRAME_OPTIONS: &str = "SAMEORIGIN";

/// The paths of the hall page, the only one that may be framed (by our own pages).
pub fn is_hall_page(path: &str) -> bool {
    path == "/" || path == "/index.html"
}

/// `router` with every response carrying the security headers (set over any a handler set).
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(SecurityHeadersLayer)
}

/// The layer setting the security headers. A plain service rather than
/// `middleware::from_fn`, which boxes a future and clones the inner service per request: on
/// small media that was a measurable share of a request's time (BENCHMARKS.md).
#[derive(Debug, Clone, Copy)]
struct SecurityHeadersLayer;

impl<S> Layer<S> for SecurityHeadersLayer {
    type Service = SecurityHeaders<S>;

    fn layer(&self, inner: S) -> SecurityHeaders<S> {
        SecurityHeaders { inner }
    }
}

#[derive(Debug, Clone)]
struct SecurityHeaders<S> {
    inner: S,
}

/// What is done to the inner service's outcome: a plain function, so the future has a name.
type Finish<E> = fn(Result<Response, E>) -> Result<Response, E>;

impl<S, B> Service<Request<B>> for SecurityHeaders<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Map<S::Future, Finish<S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let finish: Finish<S::Error> = if is_hall_page(request.uri().path()) {
            |outcome| outcome.map(|response| with_headers(response, true))
        } else {
            |outcome| outcome.map(|response| with_headers(response, false))
        };
        self.inner.call(request).map(finish)
    }
}

fn with_headers(mut response: Response, hall_page: bool) -> Response {
    insert(response.headers_mut(), hall_page);
    response
}

fn insert(headers: &mut HeaderMap, hall_page: bool) {
    let (policy, frame_options) = if hall_page {
        (HALL_PAGE_CONTENT_SECURITY_POLICY, HALL_PAGE_FRAME_OPTIONS)
    } else {
        (CONTENT_SECURITY_POLICY, FRAME_OPTIONS)
    };
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::REFERRER_POLICY, REFERRER_POLICY),
        (header::X_FRAME_OPTIONS, frame_options),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hall_page_may_be_framed_and_only_by_our_pages() {
        for path in ["/", "/index.html"] {
            assert!(is_hall_page(path), "{path}");
        }
        for path in [
            "/portal.html",
            "/staff.html",
            "/api.html",
            "/api/v1/hall",
            "//",
        ] {
            assert!(!is_hall_page(path), "{path}");
        }
    }
}
