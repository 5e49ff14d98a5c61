//! Pavilion's HTTP service: imports the exhibitor catalogue into an embedded store, renders
//! booth signage, publishes immutable hall snapshots and serves them with media and the page.
//!
//! Layers, top to bottom (each imports only from layers below it): `http` (router,
//! extractors, OpenAPI, routes) -> `app` (state, start-up) and `cli` -> the domain areas
//! `catalogue`, `exhibitor`, `staff`, `hall`, `programme`, `contest`, `storage`, `analytics`, `leads` -> `media` (store, ingest, rendering)
//! and `db` (every SQL statement) -> `error`, `limits`, `buckets`, `revision`, `secret`, `time`, `data_lock`.

pub mod analytics;
pub mod app;
pub mod buckets;
pub mod catalogue;
pub mod cli;
pub mod contest;
pub mod data_lock;
pub mod db;
pub mod error;
pub mod exhibitor;
pub mod hall;
pub mod http;
pub mod leads;
pub mod limits;
pub mod media;
pub mod mirrored;
pub mod origin;
pub mod programme;
pub mod revision;
pub mod secret;
pub mod staff;
pub mod storage;
pub mod time;

use std::net::SocketAddr;

use tokio::net::TcpListener;

pub use app::AppState;
pub use cli::{Command, Config};
pub use error::Error;
pub use http::app;

/// Serves the hall on `config.bind` until Ctrl-C or SIGTERM, within `config.limits`; after
/// the signal, open requests get `shutdown_grace` to finish.
pub async fn serve(config: Config) -> Result<(), Error> {
    let _owner = data_lock::DataLock::acquire(&config.data_dir, "serve")?;
    // Take the address first: a port in use is reported at once, not after an import.
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| Error::Listen {
            address: config.bind,
            source,
        })?;
    let state = AppState::open(&config).await?;
    // This process owns the data folder while it serves: temp files left now are from
    // uploads that died with an earlier process.
    match state
        .sweep_storage(std::time::SystemTime::now(), true)
        .await
    {
        Ok(report) => tracing::info!("{report}"),
        Err(error) => tracing::error!(%error, "start-up storage sweep failed"),
    }
    tokio::spawn(state.clone().sweep_storage_periodically());
    tokio::spawn(state.clone().sweep_leads_periodically());
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!("Pavilion is open at http://{address}/");
    http::server::serve(listener, app(state), &config.limits, shutdown_signal()).await;
    tracing::info!("Pavilion has closed");
    Ok(())
}

/// Resolves on the first Ctrl-C or SIGTERM, so in-flight requests can finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing open requests");
}
