//! The `pavilion` binary: parses the configuration and serves the hall, re-imports the
//! catalogue, manages accounts and tokens, checks the data folder, backs it up or restores it, or exports the published hall as static files.

use std::time::Duration;

use anyhow::Context as _;
use clap::Parser as _;
use pavilion_server::{Command, Config};
use tracing_subscriber::EnvFilter;

/// After the server has stopped, how long blocking work (a media check, a password hash)
/// may hold the process before it exits anyway.
const BLOCKING_WORK_GRACE: Duration = Duration::from_secs(1);

/// mimalloc: per-thread free lists, where glibc's malloc made the async threads wait on its
/// arena locks under load (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let outcome = runtime.block_on(run());
    runtime.shutdown_timeout(BLOCKING_WORK_GRACE);
    outcome
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .init();
    let config = Config::parse();
    match config.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => pavilion_server::serve(config)
            .await
            .context("the server stopped with an error"),
        Command::Import => {
            let report = pavilion_server::app::run_import(&config)
                .await
                .with_context(|| format!("importing {}", config.catalogue_dir.display()))?;
            println!("{report}");
            Ok(())
        }
        Command::Staff { command } => {
            let store = pavilion_server::db::Store::connect(&config.database())
                .await
                .with_context(|| format!("opening {}", config.data_dir.display()))?;
            let outcome = pavilion_server::cli::run_staff_command(&store, &command).await;
            store.close().await;
            println!("{}", outcome.context("staff command failed")?);
            Ok(())
        }
        Command::Token { command } => {
            let state = pavilion_server::AppState::open(&config)
                .await
                .with_context(|| format!("opening {}", config.data_dir.display()))?;
            let outcome = pavilion_server::cli::run_token_command(state.store(), &command).await;
            state.store().close().await;
            println!("{}", outcome.context("token command failed")?);
            Ok(())
        }
        Command::CheckData | Command::Backup { .. } | Command::Restore { .. }
            if config.database_url.is_some() =>
        {
            anyhow::bail!(
                "check-data, backup and restore work on the data folder's SQLite store; with \
                 --database-url, back up PostgreSQL with pg_dump and the media folder with any \
                 file copy"
            )
        }
        Command::CheckData => {
            config.require_local_media("`pavilion check-data`")?;
            let check = pavilion_server::storage::check::check_data(&config.data_dir)
                .await
                .with_context(|| format!("checking {}", config.data_dir.display()))?;
            println!("{}", serde_json::to_string_pretty(&check)?);
            if !check.ok() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Backup { to } => {
            config.require_local_media("`pavilion backup`")?;
            let report = pavilion_server::storage::backup::backup(&config.data_dir, &to)
                .await
                .with_context(|| {
                    format!(
                        "backing up {} into {}",
                        config.data_dir.display(),
                        to.display()
                    )
                })?;
            println!("{report}");
            Ok(())
        }
        Command::Export { to, api_origin } => {
            let report = pavilion_server::http::export::export(&config, &to, api_origin)
                .await
                .with_context(|| format!("exporting the published hall into {}", to.display()))?;
            println!("{report}");
            Ok(())
        }
        Command::Restore { from } => {
            config.require_local_media("`pavilion restore`")?;
            let report = pavilion_server::storage::backup::restore(&from, &config.data_dir)
                .await
                .with_context(|| {
                    format!(
                        "restoring {} into {}",
                        from.display(),
                        config.data_dir.display()
                    )
                })?;
            println!("{report}");
            Ok(())
        }
    }
}
