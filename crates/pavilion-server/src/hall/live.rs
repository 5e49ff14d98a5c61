//! The live hall: the published snapshot visitors are served from memory, swapped atomically
//! after a publish or rollback (here or, on a shared PostgreSQL store, on another server:
//! [`LiveHall::follow_published`]), and the curation lock that keeps layout writes, publishes
//! and rollbacks from interleaving, across servers too.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::publish::PublishedHall;
use crate::db::{SharedLock, Store};
use crate::error::Error;

/// How often a server on a shared store checks the published pointer even without word of
/// a publish (the listening connection may have dropped and be reconnecting).
pub const FOLLOW_POLL: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct LiveHall {
    published: RwLock<Arc<PublishedHall>>,
    /// Serialises staff writes to the layout draft, publishes and rollbacks in this process.
    curation: tokio::sync::Mutex<()>,
    /// The store, whose shared lock extends the curation lock to other servers.
    store: Store,
}

/// The curation lock, held while it lives: this process's and, on PostgreSQL, the one every
/// server on the database shares.
#[derive(Debug)]
pub struct CurationGuard<'a> {
    _shared: Option<SharedLock>,
    _local: tokio::sync::MutexGuard<'a, ()>,
}

impl LiveHall {
    pub fn new(published: PublishedHall, store: Store) -> LiveHall {
        LiveHall {
            published: RwLock::new(Arc::new(published)),
            curation: tokio::sync::Mutex::new(()),
            store,
        }
    }

    /// The hall visitors see now; cheap (an `Arc` clone).
    pub fn published(&self) -> Arc<PublishedHall> {
        let guard = self
            .published
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(&guard)
    }

    /// Makes `published` the live hall (after the store's pointer names it).
    pub fn swap(&self, published: PublishedHall) {
        let mut guard = self
            .published
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = Arc::new(published);
    }

    /// Held while the layout draft is read and rewritten, or a version is published or
    /// rolled back, so such changes never interleave (on any server of a shared store).
    pub async fn curation_lock(&self) -> Result<CurationGuard<'_>, Error> {
        let local = self.curation.lock().await;
        let shared = self.store.lock_curation().await?;
        Ok(CurationGuard {
            _shared: shared,
            _local: local,
        })
    }

    /// Serves whatever version the store's pointer names, if that is not the live one:
    /// another server published or rolled back. Takes this process's curation lock, so it
    /// never undoes a publish made here meanwhile. True when it swapped.
    pub async fn catch_up(&self) -> Result<bool, Error> {
        let _local = self.curation.lock().await;
        let version = self.store.published_version().await?;
        if version == 0 || version == self.published().version {
            return Ok(false);
        }
        let Some(stored) = self.store.snapshot(version).await? else {
            return Ok(false);
        };
        let prepared =
            tokio::task::spawn_blocking(move || PublishedHall::prepare(&stored)).await??;
        let previous = self.published().version;
        self.swap(prepared);
        tracing::info!(
            version,
            previous,
            "serving the version another server published"
        );
        Ok(true)
    }
}

/// On a shared PostgreSQL store, keeps a server's hall the published one for as long as the
/// server (`owner`, whose live hall `live` gives) exists: catches up at each publish notice
/// and every [`FOLLOW_POLL`] regardless. Returns at once on SQLite, and when the server is
/// dropped.
pub async fn follow_published<T: Send + Sync + 'static>(
    owner: std::sync::Weak<T>,
    live: fn(&T) -> &LiveHall,
) {
    loop {
        let listening = {
            let Some(server) = owner.upgrade() else {
                return;
            };
            live(&server).store.listen_for_publishes().await
        };
        let mut listener = match listening {
            Ok(Some(listener)) => Some(listener),
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for publishes; polling");
                None
            }
        };
        loop {
            {
                let Some(server) = owner.upgrade() else {
                    return;
                };
                if let Err(error) = live(&server).catch_up().await {
                    tracing::warn!(%error, "could not catch up with the published hall");
                }
            }
            let Some(active) = listener.as_mut() else {
                tokio::time::sleep(FOLLOW_POLL).await;
                break;
            };
            match tokio::time::timeout(FOLLOW_POLL, active.recv()).await {
                Ok(Ok(_)) | Err(_) => {}
                Ok(Err(error)) => {
                    tracing::warn!(%error, "the publish listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}
