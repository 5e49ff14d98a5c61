//! The accept loop: HTTP/1.1 with hyper directly (axum's `serve` offers no header read
//! timeout), so every connection is bounded: at most `max_connections` open (one more waits
//! `connection_wait`, then is closed), its request headers read within
//! `header_read_timeout` (which also ends idle keep-alive connections), and every request
//! carries the TCP peer as `ConnectInfo<SocketAddr>`. On the shutdown signal the listener
//! closes, open connections finish their requests, and after `shutdown_grace` whatever is
//! still open is dropped, so the server always exits. Connections write through the
//! zero-copy writer (`zero_copy.rs`).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioTimer;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use crate::http::zero_copy::ZeroCopyStream;
use crate::limits::Limits;

/// After an accept error (such as running out of file descriptors), wait this long before
/// accepting again instead of spinning.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `shutdown` resolves, then drains within the grace.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // Queue bodies as they are: the zero-copy writer recognises them by address.
        .writev(true);
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                // Waiting here also stops accepting: the backlog holds the rest meanwhile.
                match tokio::time::timeout(limits.connection_wait, slots.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(slot)) => slot,
                    _ => {
                        tracing::warn!(%peer, max = limits.max_connections, "too many connections: closing a new one");
                        drop(stream);
                        continue;
                    }
                }
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let http = http.clone();
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut connection = pin!(http.serve_connection(ZeroCopyStream::new(stream), service));
            tokio::select! {
                result = connection.as_mut() => log_end(peer, result),
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    log_end(peer, connection.await);
                }
            }
        });
    }

    drop(listener);
    tracing::info!(
        open = connections.len(),
        grace_seconds = limits.shutdown_grace.as_secs_f64(),
        "no longer accepting; finishing open requests"
    );
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the grace period: closing them"
        );
        connections.shutdown().await;
    }
}

fn log_end(peer: SocketAddr, result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}
