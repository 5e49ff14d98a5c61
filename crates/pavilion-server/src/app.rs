//! The application state shared by every request (store, media, renderer, the live hall and
//! the folders the server reads), the start-up sequence that imports, arranges and
//! publishes on a fresh data folder, and the seed re-import (through the running server's
//! curation lock, or on the command line while no server holds the data folder).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::buckets::AddressRate;
use crate::catalogue::{
    ImportActor, ImportReport, arrange_layout_if_missing, audit_import, import_catalogue,
};
use crate::cli::Config;
use crate::contest::clock::ContestClock;
use crate::contest::throttle::ContestThrottle;
use crate::db::Store;
use crate::error::Error;
use crate::exhibitor::content::UploadPolicy;
use crate::exhibitor::review::SignageSources;
use crate::hall::{LiveHall, PublishedHall, publish};
use crate::limits::{Gate, Limits, TrustedProxies};
use crate::media::{CheckBudget, MediaStore, Renderer};
use crate::staff::sign_in::SignInGuard;
use crate::storage::{StorageRules, SweepReport, UploadGate, sweep_orphans, sweep_temp_files};
use crate::time::Clock;

pub use crate::storage::MEDIA_FOLDER;

#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    media: MediaStore,
    renderer: Renderer,
    web_dir: PathBuf,
    assets_dir: PathBuf,
    catalogue_dir: PathBuf,
    clock: Clock,
    contest_clock: ContestClock,
    screens: crate::programme::screens::StageScreens,
    live: LiveHall,
    budget: CheckBudget,
    storage: StorageRules,
    uploads: UploadGate,
    guard: Guard,
    /// Export origins whose pages may call the visitor API across origins.
    cors_origins: Vec<crate::origin::WebOrigin>,
}

/// The bounds on callers: the limits, the proxies believed, and the state enforcing them.
#[derive(Debug)]
pub struct Guard {
    pub limits: Limits,
    pub trusted_proxies: TrustedProxies,
    pub sign_in: SignInGuard,
    /// Sign-in requests in progress (body read included).
    pub sign_ins: Gate,
    /// Uploads in progress.
    pub uploads: Gate,
    /// Analytics batches per client address.
    pub events: AddressRate,
    /// Leads per client address.
    pub leads: AddressRate,
    /// The contest's nickname and play rates per address.
    pub contest: ContestThrottle,
}

impl Guard {
    /// `shared`: the store, when several servers share it (PostgreSQL), so that the
    /// per-caller limits count across them.
    pub fn new(
        limits: &Limits,
        trusted_proxies: &[crate::limits::IpRange],
        shared: Option<&Store>,
    ) -> Guard {
        Guard {
            limits: limits.clone(),
            trusted_proxies: TrustedProxies(trusted_proxies.to_vec()),
            sign_in: SignInGuard::new(limits, shared),
            sign_ins: Gate::new(limits.max_sign_ins, limits.sign_in_wait, "sign-ins"),
            uploads: Gate::new(limits.max_uploads, std::time::Duration::ZERO, "uploads"),
            events: AddressRate::new(
                "analytics batches",
                limits.event_batches_per_minute,
                std::time::Duration::from_secs(60),
                limits.failure_keys,
                shared.map(|store| (store, "analytics_batches")),
            ),
            leads: AddressRate::new(
                "messages for booths",
                limits.leads_per_hour,
                std::time::Duration::from_secs(3600),
                limits.failure_keys,
                shared.map(|store| (store, "leads")),
            ),
            contest: ContestThrottle::new(limits, shared),
        }
    }
}

/// How long a temp file may go unwritten before a periodic sweep takes its upload for dead.
const TEMP_FILE_IDLE: std::time::Duration = std::time::Duration::from_secs(3600);

impl AppState {
    /// Opens the data folder, loading the system fonts first.
    pub async fn open(config: &Config) -> Result<AppState, Error> {
        let started = Instant::now();
        let renderer = tokio::task::spawn_blocking(Renderer::with_system_fonts).await?;
        tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "fonts loaded");
        AppState::open_with_renderer(config, renderer).await
    }

    /// Opens the data folder: migrates the store; imports the seed programme when there is
    /// no programme draft; on a fresh store imports the catalogue; arranges a layout draft if
    /// there is none; publishes if nothing is published yet; deletes leads past their
    /// retention. On a store that already has all of these and no expired lead, nothing is
    /// written.
    pub async fn open_with_renderer(
        config: &Config,
        renderer: Renderer,
    ) -> Result<AppState, Error> {
        let store = Store::connect(&config.database()).await?;
        let media = config.media_store().await?;

        let budget = config.check_budget();
        // Servers starting together on one PostgreSQL database take turns: the first imports
        // and publishes, the others find it done.
        let startup_lock = store.lock_curation().await?;
        let fresh = store.exhibitor_count().await? == 0;
        if fresh {
            // A catalogue that will not import fails the first start before anything (the
            // programme and its recordings included) is written to the data folder.
            let catalogue = config.catalogue_dir.clone();
            tokio::task::spawn_blocking(move || crate::catalogue::read::read_catalogue(&catalogue))
                .await??;
        }
        // Before the first publish, so the first version has the programme too.
        let recordings = crate::programme::RecordingSources {
            media: media.clone(),
            renderer: renderer.clone(),
            budget,
        };
        crate::programme::import_seed_if_missing(&store, &config.programme_file, &recordings)
            .await?;
        // After the programme: the sets' theme days are checked against it.
        crate::contest::seed::import_seed_if_empty(&store, &config.contest_file).await?;
        let mut published = None;
        if fresh {
            tracing::info!(catalogue = %config.catalogue_dir.display(), "empty store: importing the catalogue");
            let (_, fresh) = import_and_publish(
                &store,
                &media,
                &renderer,
                &config.catalogue_dir,
                budget,
                ImportActor::FirstStart,
            )
            .await?;
            published = fresh;
        }
        arrange_layout_if_missing(&store).await?;
        let published = match (published, store.published().await?) {
            (Some(fresh), _) => fresh,
            (None, Some(stored)) => {
                tokio::task::spawn_blocking(move || PublishedHall::prepare(&stored)).await??
            }
            (None, None) => publish(&store, &media, &renderer, None).await?,
        };
        tracing::info!(version = published.version, "serving published hall");
        // Leads past their retention go before anyone can read them again.
        crate::leads::sweep_expired(&store, crate::time::unix_now()).await?;
        drop(startup_lock);

        let shared = (store.backend() == crate::db::Backend::Postgres).then_some(&store);
        let guard = Guard::new(&config.limits, &config.trusted_proxies, shared);
        let live_store = store.clone();
        let state = AppState {
            inner: Arc::new(Inner {
                store,
                media,
                renderer,
                web_dir: config.web_dir.clone(),
                assets_dir: config.assets_dir.clone(),
                catalogue_dir: config.catalogue_dir.clone(),
                clock: config.clock.map_or(Clock::system(), Clock::starting_at),
                contest_clock: ContestClock::default(),
                screens: Default::default(),
                live: LiveHall::new(published, live_store),
                budget,
                storage: config.storage_rules(),
                uploads: UploadGate::default(),
                guard,
                cors_origins: config.cors_origins.clone(),
            }),
        };
        if state.store().backend() == crate::db::Backend::Postgres {
            tokio::spawn(crate::hall::live::follow_published(
                Arc::downgrade(&state.inner),
                |inner: &Inner| &inner.live,
            ));
        }
        Ok(state)
    }

    /// Re-imports the catalogue as a seed under the curation lock (so no layout write,
    /// publish or rollback interleaves), audited as `actor`. Updates the exhibitors and the
    /// layout draft; publishes only when nothing was ever published.
    pub async fn reimport(
        &self,
        catalogue: &Path,
        actor: ImportActor<'_>,
    ) -> Result<ImportReport, Error> {
        let _curation = self.live().curation_lock().await?;
        let (report, published) = import_and_publish(
            self.store(),
            self.media(),
            self.renderer(),
            catalogue,
            self.inner.budget,
            actor,
        )
        .await?;
        if let Some(published) = published {
            self.live().swap(published);
        }
        Ok(report)
    }

    /// The published hall visitors see now and the curation lock.
    pub fn live(&self) -> &LiveHall {
        &self.inner.live
    }

    /// The hall visitors see now; cheap (an `Arc` clone).
    pub fn published(&self) -> Arc<PublishedHall> {
        self.inner.live.published()
    }

    /// The limits on callers and the state that enforces them.
    pub fn guard(&self) -> &Guard {
        &self.inner.guard
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn media(&self) -> &MediaStore {
        &self.inner.media
    }

    /// The origins of static exports whose pages may call the visitor API (CORS).
    pub fn cors_origins(&self) -> &[crate::origin::WebOrigin] {
        &self.inner.cors_origins
    }

    pub fn web_dir(&self) -> &Path {
        &self.inner.web_dir
    }

    pub fn assets_dir(&self) -> &Path {
        &self.inner.assets_dir
    }

    /// The seed catalogue (where approved profile changes find the logo to re-render with).
    pub fn catalogue_dir(&self) -> &Path {
        &self.inner.catalogue_dir
    }

    /// The clock the contest's time limits are measured by.
    pub fn contest_clock(&self) -> &ContestClock {
        &self.inner.contest_clock
    }

    /// The clock the programme's "now" is read from (`--clock`).
    pub fn clock(&self) -> Clock {
        self.inner.clock
    }

    pub fn renderer(&self) -> &Renderer {
        &self.inner.renderer
    }

    /// The stages' live screens rendered so far.
    pub fn stage_screens(&self) -> &crate::programme::screens::StageScreens {
        &self.inner.screens
    }

    /// What approving a submission needs to re-render signage.
    pub fn signage_sources(&self) -> SignageSources<'_> {
        SignageSources {
            renderer: self.renderer(),
            media: self.media(),
            catalogue_dir: self.catalogue_dir(),
            budget: self.inner.budget,
        }
    }

    /// What an upload is held to: the check budget, the booth quota, the uploads under way.
    pub fn upload_policy(&self) -> UploadPolicy<'_> {
        UploadPolicy {
            budget: self.inner.budget,
            booth_quota: self.inner.storage.booth_quota_bytes,
            gate: &self.inner.uploads,
        }
    }

    pub fn storage_rules(&self) -> StorageRules {
        self.inner.storage
    }

    /// Sweeps storage as of `now`: at start-up (`starting`) every temp file is abandoned,
    /// later only those unwritten for an hour; media nothing refers to go once they are older
    /// than the grace period.
    pub async fn sweep_storage(
        &self,
        now: SystemTime,
        starting: bool,
    ) -> Result<SweepReport, Error> {
        let temp_cutoff = (!starting).then(|| now - TEMP_FILE_IDLE);
        let (temp_files, temp_bytes) = sweep_temp_files(self.media(), temp_cutoff).await?;
        let mut report = sweep_orphans(
            self.store(),
            self.media(),
            now - self.inner.storage.orphan_grace,
        )
        .await?;
        report.temp_files = temp_files;
        report.bytes_freed += temp_bytes;
        Ok(report)
    }

    /// Sweeps storage every `sweep_interval`, for as long as the server runs.
    pub async fn sweep_storage_periodically(self) {
        let mut interval = tokio::time::interval(self.inner.storage.sweep_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate; the start-up sweep has just run.
        interval.tick().await;
        loop {
            interval.tick().await;
            match self.sweep_storage(SystemTime::now(), false).await {
                Ok(report) => tracing::info!("{report}"),
                Err(error) => tracing::error!(%error, "storage sweep failed"),
            }
        }
    }
}

/// How often leads past their retention are looked for.
const LEAD_SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

impl AppState {
    /// Deletes leads past their retention every hour, for as long as the server runs (the
    /// first sweep ran when the state was opened).
    pub async fn sweep_leads_periodically(self) {
        let mut interval = tokio::time::interval(LEAD_SWEEP_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            interval.tick().await;
            if let Err(error) =
                crate::leads::sweep_expired(self.store(), crate::time::unix_now()).await
            {
                tracing::error!(%error, "lead sweep failed");
            }
        }
    }
}

/// Imports the catalogue as a seed, publishes only when nothing was ever published (a fresh
/// data folder: its hall must open with the catalogue in it), audits the import and logs the
/// report. A re-import into a published hall updates the draft; staff publish it.
async fn import_and_publish(
    store: &Store,
    media: &MediaStore,
    renderer: &Renderer,
    catalogue: &Path,
    budget: CheckBudget,
    actor: ImportActor<'_>,
) -> Result<(ImportReport, Option<PublishedHall>), Error> {
    let mut report = import_catalogue(store, media, renderer, catalogue, budget).await?;
    let published = if store.published().await?.is_none() {
        let published = publish(store, media, renderer, None).await?;
        report.published_version = Some(published.version);
        Some(published)
    } else {
        None
    };
    audit_import(store, actor, &report).await?;
    tracing::info!("{report}");
    Ok((report, published))
}

/// The `import` command: re-imports the catalogue into the data folder without serving.
/// Refused while another process (a running server) holds the data folder: import through
/// that server instead (`POST /api/v1/staff/import`).
pub async fn run_import(config: &Config) -> Result<ImportReport, Error> {
    let owner = crate::data_lock::DataLock::acquire(&config.data_dir, "import")?;
    let renderer = tokio::task::spawn_blocking(Renderer::with_system_fonts).await?;
    import_owned(config, renderer, owner).await
}

/// [`run_import`] with a renderer already made (fonts loaded).
pub async fn run_import_with_renderer(
    config: &Config,
    renderer: Renderer,
) -> Result<ImportReport, Error> {
    let owner = crate::data_lock::DataLock::acquire(&config.data_dir, "import")?;
    import_owned(config, renderer, owner).await
}

async fn import_owned(
    config: &Config,
    renderer: Renderer,
    _owner: crate::data_lock::DataLock,
) -> Result<ImportReport, Error> {
    let store = Store::connect(&config.database()).await?;
    let media = config.media_store().await?;
    let outcome = import_and_publish(
        &store,
        &media,
        &renderer,
        &config.catalogue_dir,
        config.check_budget(),
        ImportActor::Cli,
    )
    .await;
    store.close().await;
    Ok(outcome?.0)
}
