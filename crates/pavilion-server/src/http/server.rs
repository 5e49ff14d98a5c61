//! The accept loop: HTTP/1.1 with hyper directly (axum's `serve` offers no header read
//! timeout), so every connection is bounded: at most `max_connections` open (one more waits
//! `connection_wait`, then is closed), its request headers read within
//! `header_read_timeout` (which also ends idle keep-alive connections), and every request
//! carries the TCP peer as `ConnectInfo<SocketAddr>`. On the shutdown signal the listener
//! closes, open connections finish their requests, and after `shutdown_grace` whatever is
//! still open is dropped, so the server always exits.
//!
//! Connections run on *connection threads*, one per core, each a single-threaded runtime
//! with its own event loop, like nginx's worker processes: the accept loop hands each new
//! connection to the thread with the fewest open ones, and a connection stays there. A
//! work-stealing runtime moved busy connections between cores and woke idle workers to look
//! for work, which on a small machine cost more than it won (see BENCHMARKS.md). What a
//! handler starts in the background (`spawn_blocking`, a spawned task) runs there too.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioTimer;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
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
    let (stop, stopping) = watch::channel(false);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut workers: Vec<ConnectionThread> = (0..threads)
        .filter_map(|index| {
            ConnectionThread::start(index, router.clone(), limits, stopping.clone())
                .inspect_err(|error| {
                    tracing::error!(%error, index, "cannot start a connection thread");
                })
                .ok()
        })
        .collect();
    if workers.is_empty() {
        tracing::error!("no connection thread could start: not serving");
        return;
    }
    let mut shutdown = pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
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
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(error) => {
                tracing::debug!(%peer, %error, "cannot hand a connection over");
                continue;
            }
        };
        let worker = workers
            .iter()
            .min_by_key(|worker| worker.open.load(Ordering::Relaxed))
            .expect("at least one connection thread runs");
        worker.open.fetch_add(1, Ordering::Relaxed);
        if worker
            .connections
            .send(NewConnection { stream, peer, slot })
            .is_err()
        {
            // The thread is gone (it cannot panic short of a bug in hyper): close the
            // connection and serve on the others.
            worker.open.fetch_sub(1, Ordering::Relaxed);
            tracing::error!("a connection thread has stopped");
            workers.retain(|worker| !worker.connections.is_closed());
            if workers.is_empty() {
                break;
            }
        }
    }

    drop(listener);
    let open: usize = workers.iter().map(|w| w.open.load(Ordering::Relaxed)).sum();
    tracing::info!(
        open,
        grace_seconds = limits.shutdown_grace.as_secs_f64(),
        "no longer accepting; finishing open requests"
    );
    let _ = stop.send(true);
    // Closing the channels tells each thread to drain its connections within the grace.
    let finished: Vec<_> = workers.into_iter().map(|w| w.finished).collect();
    for thread in finished {
        let _ = thread.await;
    }
}

/// An accepted connection on its way to a connection thread, holding its slot.
struct NewConnection {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    slot: OwnedSemaphorePermit,
}

/// One connection thread, as the accept loop sees it.
struct ConnectionThread {
    connections: mpsc::UnboundedSender<NewConnection>,
    /// Connections open on it.
    open: Arc<AtomicUsize>,
    /// Resolves (or fails) when the thread has finished its connections.
    finished: oneshot::Receiver<()>,
}

impl ConnectionThread {
    fn start(
        index: usize,
        router: Router,
        limits: &Limits,
        stopping: watch::Receiver<bool>,
    ) -> std::io::Result<ConnectionThread> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name(format!("pavilion-conn-{index}"))
            .build()?;
        let (connections, mut incoming) = mpsc::unbounded_channel::<NewConnection>();
        let open = Arc::new(AtomicUsize::new(0));
        let (done, finished) = oneshot::channel();
        let grace = limits.shutdown_grace;
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            // Queue bodies as they are (the zero-copy writer recognises them by address).
            .writev(true);
        let thread_open = Arc::clone(&open);
        std::thread::Builder::new()
            .name(format!("pavilion-conn-{index}"))
            .spawn(move || {
                runtime.block_on(async move {
                    let mut running = JoinSet::new();
                    loop {
                        tokio::select! {
                            received = incoming.recv() => match received {
                                Some(connection) => {
                                    running.spawn(serve_connection(
                                        connection,
                                        router.clone(),
                                        http.clone(),
                                        stopping.clone(),
                                        Arc::clone(&thread_open),
                                    ));
                                }
                                None => break,
                            },
                            Some(_) = running.join_next(), if !running.is_empty() => {}
                        }
                    }
                    let drained = tokio::time::timeout(grace, async {
                        while running.join_next().await.is_some() {}
                    })
                    .await;
                    if drained.is_err() {
                        tracing::warn!(
                            open = running.len(),
                            "connections still open after the grace period: closing them"
                        );
                        running.shutdown().await;
                    }
                });
                // Background work a handler left (a blocking task) gets no longer than the
                // grace either.
                runtime.shutdown_timeout(grace);
                let _ = done.send(());
            })?;
        Ok(ConnectionThread {
            connections,
            open,
            finished,
        })
    }
}

/// Serves one connection on the current connection thread until it ends, or until the
/// server stops (then gracefully: the request in progress is answered).
async fn serve_connection(
    connection: NewConnection,
    router: Router,
    http: hyper::server::conn::http1::Builder,
    mut stopping: watch::Receiver<bool>,
    open: Arc<AtomicUsize>,
) {
    let NewConnection { stream, peer, slot } = connection;
    let _slot = slot;
    let _counted = Counted(open);
    let stream = match TcpStream::from_std(stream) {
        Ok(stream) => stream,
        Err(error) => {
            tracing::debug!(%peer, %error, "cannot take a connection over");
            return;
        }
    };
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request.map(Body::new))
    });
    let mut connection = pin!(http.serve_connection(ZeroCopyStream::new(stream), service));
    tokio::select! {
        result = connection.as_mut() => log_end(peer, result),
        _ = async { stopping.wait_for(|stop| *stop).await.is_ok() } => {
            connection.as_mut().graceful_shutdown();
            log_end(peer, connection.await);
        }
    }
}

/// One open connection on a thread's count, taken off when dropped.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn log_end(peer: SocketAddr, result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}
