//! Per-request limits: the deadline every request runs under (a longer one for uploads), the
//! slots that bound sign-ins and uploads in progress ([`SignInSlot`], [`UploadSlot`]), and
//! the minimum rate an upload body must keep ([`min_rate_body`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse as _, Response};
use futures_util::StreamExt as _;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tower::{Layer, Service};

use crate::app::AppState;
use crate::error::{Error, UploadError};
use crate::limits::Limits;

/// The upload endpoint, the one request that may run for `upload_timeout`.
pub const UPLOAD_PATH: &str = "/api/v1/me/media";

/// How long a request may run before it is answered 408: the response head must be ready by
/// then (a long download streams its body after).
pub fn deadline_of(limits: &Limits, method: &Method, path: &str) -> Duration {
    if method == Method::POST && path.trim_end_matches('/') == UPLOAD_PATH {
        limits.upload_timeout
    } else {
        limits.request_timeout
    }
}

/// The layer running every request under its deadline ([`deadline_of`]). A plain service
/// rather than `middleware::from_fn`, which boxes a future and clones the inner service per
/// request (BENCHMARKS.md, small media).
#[derive(Debug, Clone)]
pub struct DeadlineLayer {
    limits: Arc<Limits>,
}

impl DeadlineLayer {
    pub fn new(limits: &Limits) -> DeadlineLayer {
        DeadlineLayer {
            limits: Arc::new(limits.clone()),
        }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Deadline<S> {
        Deadline {
            inner,
            limits: Arc::clone(&self.limits),
        }
    }
}

/// A service whose requests run under their deadline: past it the answer is 408.
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    limits: Arc<Limits>,
}

impl<S> Service<Request> for Deadline<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = DeadlineFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let limit = deadline_of(&self.limits, request.method(), request.uri().path());
        // Cheap copies (a shared buffer), kept for the log line should the deadline pass.
        let method = request.method().clone();
        let uri = request.uri().clone();
        DeadlineFuture {
            answer: tokio::time::timeout(limit, self.inner.call(request)),
            limit,
            method,
            uri,
        }
    }
}

pin_project_lite::pin_project! {
    /// A request's answer, or 408 once its deadline passes.
    pub struct DeadlineFuture<F> {
        #[pin]
        answer: tokio::time::Timeout<F>,
        limit: Duration,
        method: Method,
        uri: Uri,
    }
}

impl<F, E> Future for DeadlineFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match ready!(this.answer.poll(cx)) {
            Ok(answer) => Poll::Ready(answer),
            Err(_) => {
                let path = this.uri.path();
                let (method, seconds) = (&*this.method, this.limit.as_secs());
                tracing::warn!(%method, path, seconds, "request stopped at its deadline");
                Poll::Ready(Ok(Error::Timeout(*this.limit).into_response()))
            }
        }
    }
}

/// A sign-in slot, taken before the body is read; 503 with Retry-After when none frees up
/// within the sign-in wait.
#[derive(Debug)]
pub struct SignInSlot(pub OwnedSemaphorePermit);

impl FromRequestParts<AppState> for SignInSlot {
    type Rejection = Error;

    async fn from_request_parts(_parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        state.guard().sign_ins.enter().await.map(SignInSlot)
    }
}

/// An upload slot, taken before the body is read; 503 with Retry-After at once when every
/// slot is taken.
#[derive(Debug)]
pub struct UploadSlot(pub OwnedSemaphorePermit);

impl FromRequestParts<AppState> for UploadSlot {
    type Rejection = Error;

    async fn from_request_parts(_parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        state.guard().uploads.enter().await.map(UploadSlot)
    }
}

/// The body, cut with [`UploadError::TooSlow`] when fewer than `min_rate` bytes per second
/// arrive in any window of `window` (counted in consecutive windows from the first read).
pub fn min_rate_body(body: Body, min_rate: u64, window: Duration) -> Body {
    let window = window.max(Duration::from_millis(1));
    let needed = (min_rate as f64 * window.as_secs_f64()) as u64;
    let meter = RateMeter {
        window,
        needed,
        min_rate,
        window_end: None,
        received: 0,
    };
    let stream =
        futures_util::stream::unfold(Some((body.into_data_stream(), meter)), |state| async move {
            let (mut inner, mut meter) = state?;
            let window_end = *meter
                .window_end
                .get_or_insert(Instant::now() + meter.window);
            let next = tokio::time::timeout_at(window_end, inner.next()).await;
            let item = match next {
                Ok(Some(Ok(chunk))) => meter.count(chunk),
                Ok(Some(Err(error))) => Err(axum::BoxError::from(error)),
                Ok(None) => return None,
                Err(_) => meter.check(window_end).map(|()| Bytes::new()),
            };
            let ended = item.is_err();
            Some((item, (!ended).then_some((inner, meter))))
        });
    Body::from_stream(stream)
}

/// Bytes counted in the current window.
struct RateMeter {
    window: Duration,
    needed: u64,
    min_rate: u64,
    window_end: Option<Instant>,
    received: u64,
}

impl RateMeter {
    fn count(&mut self, chunk: Bytes) -> Result<Bytes, axum::BoxError> {
        self.received += chunk.len() as u64;
        if let Some(window_end) = self.window_end
            && Instant::now() >= window_end
        {
            self.check(window_end)?;
        }
        Ok(chunk)
    }

    /// At the end of a window: cut when too little arrived, otherwise start the next one.
    fn check(&mut self, window_end: Instant) -> Result<(), axum::BoxError> {
        if self.received < self.needed {
            tracing::warn!(
                received = self.received,
                needed = self.needed,
                "upload cut for its rate"
            );
            return Err(Box::new(UploadError::TooSlow {
                min_rate: self.min_rate,
                window: self.window,
            }));
        }
        self.received = 0;
        self.window_end = Some(window_end + self.window);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn uploads_get_the_long_deadline() {
        let limits = limits();
        assert_eq!(
            deadline_of(&limits, &Method::POST, "/api/v1/me/media"),
            limits.upload_timeout
        );
        assert_eq!(
            deadline_of(&limits, &Method::GET, "/api/v1/me/media"),
            limits.request_timeout
        );
        assert_eq!(
            deadline_of(&limits, &Method::POST, "/api/v1/staff/sessions"),
            limits.request_timeout
        );
    }

    /// A body that sends `chunk` every `every`, `count` times.
    fn trickle(chunk: usize, every: Duration, count: usize) -> Body {
        let stream = futures_util::stream::unfold(0, move |sent| async move {
            if sent == count {
                return None;
            }
            tokio::time::sleep(every).await;
            Some((
                Ok::<_, Infallible>(Bytes::from(vec![b'x'; chunk])),
                sent + 1,
            ))
        });
        Body::from_stream(stream)
    }

    async fn drain(body: Body) -> Result<usize, axum::Error> {
        let mut stream = body.into_data_stream();
        let mut total = 0;
        while let Some(chunk) = stream.next().await {
            total += chunk?.len();
        }
        Ok(total)
    }

    const WINDOW: Duration = Duration::from_millis(200);

    #[tokio::test]
    async fn a_body_at_the_rate_passes_whole() {
        // 8 KiB every 50 ms is 160 KiB/s, ten times the 16 KiB/s needed, over two one-second
        // windows: the margin keeps a busy machine (late timers) from making it fail.
        let body = min_rate_body(
            trickle(8192, Duration::from_millis(50), 40),
            16 * 1024,
            Duration::from_secs(1),
        );
        assert_eq!(drain(body).await.unwrap(), 8192 * 40);
    }

    #[tokio::test]
    async fn a_slow_or_stalled_body_is_cut_with_too_slow() {
        // 256 bytes every 50 ms is 5 KiB/s.
        let slow = min_rate_body(
            trickle(256, Duration::from_millis(50), 1000),
            16 * 1024,
            WINDOW,
        );
        let stalled = min_rate_body(
            trickle(1024, Duration::from_secs(3600), 1),
            16 * 1024,
            WINDOW,
        );
        for body in [slow, stalled] {
            let started = Instant::now();
            let error = drain(body).await.unwrap_err();
            // Cut after a few windows (not after the hour-long stall); the bound is loose
            // because timers run late on a loaded machine.
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{:?}",
                started.elapsed()
            );
            let cause = UploadError::carried_by(&error).expect("the refusal is carried");
            assert_eq!(cause.code(), "upload_too_slow");
            assert!(cause.to_string().contains("16 KiB/s"), "{cause}");
        }
    }
}
