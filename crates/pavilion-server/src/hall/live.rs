//! The live hall: the published snapshot visitors are served from memory, swapped atomically
//! after a publish or rollback, and the curation lock that keeps layout writes, publishes and
//! rollbacks from interleaving.

use std::sync::{Arc, RwLock};

use super::publish::PublishedHall;

#[derive(Debug)]
pub struct LiveHall {
    published: RwLock<Arc<PublishedHall>>,
    /// Serialises staff writes to the layout draft, publishes and rollbacks.
    curation: tokio::sync::Mutex<()>,
}

impl LiveHall {
    pub fn new(published: PublishedHall) -> LiveHall {
        LiveHall {
            published: RwLock::new(Arc::new(published)),
            curation: tokio::sync::Mutex::new(()),
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
    /// rolled back, so such changes never interleave.
    pub async fn curation_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.curation.lock().await
    }
}
