//! Staff curation of the hall: the layout draft's server-side rules (booths belong to known
//! exhibitors and have their tier's footprint), draft edits saved together with their audit
//! entry, publishing with an audit entry, the version list and rollback to an older snapshot.

use std::collections::HashMap;

use pavilion_model::Hall;
use pavilion_model::layout::{self, ArrangeEntry};

use super::live::LiveHall;
use super::publish::{PublishedHall, publish, version_target};
use super::rules::{exhibitors_by_slug, layout_problems, programme_draft};
use crate::db::{
    ExhibitorRecord, LayoutDraft, NewAudit, StaffSession, Store, StoredSnapshot, VersionInfo,
};
use crate::error::Error;
use crate::media::render::Renderer;
use crate::media::store::MediaStore;
use crate::revision::{self, IfMatch, Revision};

/// The draft with when it was last saved and its revision (empty, at revision 0, when there
/// is none).
pub async fn draft(store: &Store) -> Result<LayoutDraft, Error> {
    Ok(store
        .layout_draft_with_time()
        .await?
        .unwrap_or_else(|| LayoutDraft {
            halls: Vec::new(),
            updated_at: String::new(),
            revision: Revision::UNSAVED,
        }))
}

/// The draft an edit starts from, refused with [`Error::StaleVersion`] when the caller named
/// the version it edited (`If-Match`) and the draft has moved on. Call with the curation lock
/// held, and save the edit with [`save_draft`] over the returned revision.
pub async fn draft_to_edit(
    store: &Store,
    precondition: Option<&IfMatch>,
) -> Result<LayoutDraft, Error> {
    let current = draft(store).await?;
    revision::check(precondition, current.revision)
        .map_err(|current| Error::StaleVersion { current })?;
    Ok(current)
}

/// Checks a new draft and, when it keeps every rule, saves it with its audit entry in one
/// transaction, as a compare-and-set over `base` (the revision the edit was made to): when
/// the draft is no longer at `base`, nothing is saved and the answer is
/// [`Error::StaleVersion`]. Returns the new revision. Call with the curation lock held.
pub async fn save_draft(
    store: &Store,
    who: &StaffSession,
    base: Revision,
    halls: &[Hall],
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<Revision, Error> {
    let exhibitors = exhibitors_by_slug(store).await?;
    let programme = programme_draft(store).await?;
    let problems = layout_problems(halls, &exhibitors, programme.as_ref());
    if !problems.is_empty() {
        return Err(Error::LayoutProblems(problems));
    }
    let saved = store
        .save_layout_draft(
            halls,
            Some(&NewAudit::new(who, action, target, detail)),
            Some(base),
        )
        .await?;
    match saved {
        Some(revision) => Ok(revision),
        None => Err(Error::StaleVersion {
            current: draft(store).await?.revision,
        }),
    }
}

/// A fresh automatic arrangement of every exhibitor (topics grouped, flagships on islands).
/// The halls of `current` that have stage areas are kept, without their booths, in the same
/// row after the arranged halls: the arrangement places booths, not stages.
pub fn arrange_all(exhibitors: &HashMap<String, ExhibitorRecord>, current: &[Hall]) -> Vec<Hall> {
    let entries: Vec<ArrangeEntry> = exhibitors
        .values()
        .map(|record| record.profile.arrange_entry())
        .collect();
    let mut halls = layout::arrange(&entries);
    for hall in current.iter().filter(|hall| !hall.stages.is_empty()) {
        let origin_x = halls
            .iter()
            .map(|h| h.origin[0] + h.width + layout::HALL_GAP)
            .fold(0.0_f32, f32::max);
        halls.push(Hall {
            origin: [origin_x, hall.origin[1]],
            booths: Vec::new(),
            zones: Vec::new(),
            ..hall.clone()
        });
    }
    halls
}

/// Publishes the draft as a new version, records who did it, and makes it live. With a
/// `precondition` (`If-Match` naming the layout draft's version), only that version is
/// published: a draft changed since is refused with [`Error::StaleVersion`].
pub async fn publish_draft(
    live: &LiveHall,
    store: &Store,
    media: &MediaStore,
    renderer: &Renderer,
    who: &StaffSession,
    precondition: Option<&IfMatch>,
) -> Result<u64, Error> {
    let _curation = live.curation_lock().await?;
    if precondition.is_some() {
        draft_to_edit(store, precondition).await?;
    }
    let published = publish(store, media, renderer, Some(who)).await?;
    let version = published.version;
    live.swap(published);
    Ok(version)
}

/// Every version, newest first.
pub async fn versions(store: &Store) -> Result<Vec<VersionInfo>, Error> {
    store.versions().await
}

/// One stored snapshot document, byte for byte.
pub async fn snapshot(store: &Store, version: u64) -> Result<StoredSnapshot, Error> {
    store
        .snapshot(version)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no version {version}")))
}

/// Points `published` back at an existing snapshot (which is never changed) and serves it.
/// The pointer and the audit entry are written in one transaction.
pub async fn rollback(
    live: &LiveHall,
    store: &Store,
    who: &StaffSession,
    version: u64,
) -> Result<u64, Error> {
    let _curation = live.curation_lock().await?;
    let stored = snapshot(store, version).await?;
    let previous = live.published().version;
    let prepared = tokio::task::spawn_blocking(move || PublishedHall::prepare(&stored)).await??;
    let target = version_target(version);
    store
        .point_published_at(
            version,
            &NewAudit::new(
                who,
                "rollback",
                &target,
                serde_json::json!({ "from": previous, "to": version }),
            ),
        )
        .await?;
    live.swap(prepared);
    tracing::info!(version, previous, staff = %who.name, "rolled back");
    Ok(version)
}
