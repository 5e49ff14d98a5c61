//! Importing the catalogue, which is a seed: read and check every folder, add new
//! exhibitors, update only those whose live content is still what the catalogue last
//! supplied, keep content approved since (reporting each conflict), place newcomers in the
//! layout draft without moving a booth, and audit the import. Changed exhibitors are
//! rendered and their media checked in parallel; their catalogue media become the booth's
//! approved media.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use pavilion_model::layout::{self, ArrangeEntry};
use pavilion_model::{BoothMedia, ValidProfile};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;

use super::read::{
    CatalogueEntry, CatalogueMedia, CheckedMedia, LOGO_FILE, MEDIA_DIR, check_media, read_catalogue,
};
use crate::db::{
    CatalogueSeed, ContentOrigin, ExhibitorRecord, NewAudit, SeedState, SeededExhibitor,
    StaffSession, Store,
};
use crate::error::{CatalogueProblem, CatalogueProblems, Error};
use crate::media::CheckBudget;
use crate::media::render::{RenderError, Renderer};
use crate::media::store::{MediaStore, StoredMedia};

/// The audit action of an import.
pub const IMPORT_ACTION: &str = "import_catalogue";
/// Who the audit log names for an import run on the command line.
pub const CLI_ACTOR: &str = "catalogue import (cli)";

/// Who runs an import, for the audit log.
#[derive(Debug, Clone, Copy)]
pub enum ImportActor<'a> {
    /// The start-up import into an empty store: it creates the hall, there is nothing to
    /// keep and no one to name, so it is not audited.
    FirstStart,
    /// `pavilion import` on the command line (only while no server holds the data folder).
    Cli,
    /// A staff member through `POST /api/v1/staff/import`.
    Staff(&'a StaffSession),
}

/// A catalogue change the import did not apply because the exhibitor's live content was
/// approved through the API since the catalogue last supplied it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportConflict {
    pub slug: String,
    /// What the catalogue would have changed: the profile fields it changed since it last
    /// supplied them that differ from the live profile, and `logo` or `media` when those
    /// files changed.
    pub differs: Vec<String>,
    /// What was kept instead.
    pub kept: String,
    /// Who approved the kept content, and when, when known.
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

/// A booth the import added to the layout draft.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlacedBooth {
    pub slug: String,
    pub hall: String,
    /// The booth's centre, hall-local `[x, z]` in metres.
    pub position: [f32; 2],
    /// True when it stands in a zone of its topic (otherwise wherever the hall had room).
    pub in_topic_zone: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// New exhibitors, now in the store.
    pub added: Vec<String>,
    /// Exhibitors whose catalogue folder changed while their live content was still the
    /// catalogue's: updated.
    pub updated: Vec<String>,
    /// Exhibitors with nothing new from the catalogue.
    pub unchanged: usize,
    /// Catalogue changes not applied, because the live content was approved since.
    pub conflicts: Vec<ImportConflict>,
    /// Exhibitors in the store but no longer in the catalogue: kept (an import never deletes).
    pub not_in_catalogue: Vec<String>,
    /// Updated exhibitors whose tier changed: their booth was taken out and placed again.
    pub resized: Vec<String>,
    /// Booths added to the layout draft (newcomers and resized), no other booth moved.
    pub placed: Vec<PlacedBooth>,
    /// Newcomers the draft had no room for: place them in the staff console.
    pub unplaced: Vec<String>,
    /// True when there was no layout draft and every exhibitor was arranged automatically.
    pub layout_arranged: bool,
    /// The snapshot version published after the import, when one was (only when nothing
    /// had been published before: otherwise staff publish the updated draft).
    pub published_version: Option<u64>,
    pub elapsed_ms: u64,
}

impl ImportReport {
    pub fn changed_anything(&self) -> bool {
        !self.added.is_empty()
            || !self.updated.is_empty()
            || !self.placed.is_empty()
            || self.layout_arranged
    }

    /// The particulars the audit log records: counts, and the slugs that need a look.
    fn audit_detail(&self) -> serde_json::Value {
        serde_json::json!({
            "added": self.added.len(),
            "updated": self.updated.len(),
            "unchanged": self.unchanged,
            "conflicts": self.conflicts.iter().map(|c| &c.slug).collect::<Vec<_>>(),
            "not_in_catalogue": self.not_in_catalogue.len(),
            "placed": self.placed.len(),
            "unplaced": self.unplaced,
            "resized": self.resized,
            "layout_arranged": self.layout_arranged,
            "published_version": self.published_version,
        })
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "catalogue imported in {:.2} s: {} added, {} updated, {} unchanged, {} conflicts",
            self.elapsed_ms as f64 / 1000.0,
            self.added.len(),
            self.updated.len(),
            self.unchanged,
            self.conflicts.len()
        )?;
        if self.layout_arranged {
            write!(f, "; layout arranged")?;
        }
        if !self.placed.is_empty() {
            write!(f, "; {} booths placed", self.placed.len())?;
        }
        match self.published_version {
            Some(version) => write!(f, "; published version {version}")?,
            None => write!(
                f,
                "; not published (publish the draft from the staff console)"
            )?,
        }
        for (label, slugs) in [
            ("added", &self.added),
            ("updated", &self.updated),
            ("not in the catalogue (kept)", &self.not_in_catalogue),
            ("resized (booth placed again)", &self.resized),
            ("no room in the layout (place by hand)", &self.unplaced),
        ] {
            if !slugs.is_empty() {
                write!(f, "\n  {label}: {}", slugs.join(", "))?;
            }
        }
        for conflict in &self.conflicts {
            write!(
                f,
                "\n  conflict: {}: the catalogue changed {}; kept {}",
                conflict.slug,
                conflict.differs.join(", "),
                conflict.kept
            )?;
        }
        Ok(())
    }
}

/// The three rendered images of one exhibitor and its checked media, before they are stored.
struct RenderedImages {
    logo: Vec<u8>,
    fascia: Vec<u8>,
    name_plate: Vec<u8>,
    media: Vec<CheckedMedia>,
}

/// Imports the catalogue as a seed (see the module doc): nothing is written unless every
/// folder is valid and renders. Does not publish or audit; the caller does
/// ([`audit_import`]). Call with the curation lock held (the layout draft is rewritten).
pub async fn import_catalogue(
    store: &Store,
    media: &MediaStore,
    renderer: &Renderer,
    catalogue: &Path,
    budget: CheckBudget,
) -> Result<ImportReport, Error> {
    let started = Instant::now();
    let catalogue = catalogue.to_path_buf();
    let entries = tokio::task::spawn_blocking({
        let catalogue = catalogue.clone();
        move || read_catalogue(&catalogue)
    })
    .await??;

    let known = store.seed_states().await?;
    let mut report = ImportReport::default();
    let in_catalogue: HashSet<String> = entries
        .iter()
        .map(|entry| entry.profile.slug().to_string())
        .collect();
    report.not_in_catalogue = known
        .keys()
        .filter(|slug| !in_catalogue.contains(*slug))
        .cloned()
        .collect();
    report.not_in_catalogue.sort();

    let mut changed = Vec::new();
    let mut seeds = Vec::new();
    let mut kept_seeds = Vec::new();
    for entry in entries {
        let slug = entry.profile.slug().to_string();
        let seed = seed_of(&entry);
        match known.get(&slug) {
            None => {
                report.added.push(slug);
                changed.push(entry);
                seeds.push(seed);
            }
            Some(state) if state.source_hash == entry.source_hash => report.unchanged += 1,
            Some(state) if state.origin == ContentOrigin::Catalogue => {
                if state.profile.tier() != entry.profile.tier() {
                    report.resized.push(slug.clone());
                }
                report.updated.push(slug);
                changed.push(entry);
                seeds.push(seed);
            }
            Some(state) => {
                let differs = differences(state, &seed);
                if differs.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.conflicts.push(conflict(&slug, differs, state));
                }
                kept_seeds.push(seed);
            }
        }
    }

    if !changed.is_empty() {
        let (records, media_rows, booth_media) = tokio::task::spawn_blocking({
            let renderer = renderer.clone();
            let media = media.clone();
            move || render_and_store(&renderer, &media, &catalogue, changed, budget)
        })
        .await??;
        let seeded: Vec<SeededExhibitor> = records
            .into_iter()
            .zip(booth_media)
            .zip(seeds)
            .map(|((record, media), seed)| SeededExhibitor {
                record,
                media,
                seed,
            })
            .collect();
        let approved_meanwhile = store.save_seeded_exhibitors(&media_rows, &seeded).await?;
        for slug in approved_meanwhile {
            report.updated.retain(|s| *s != slug);
            report.resized.retain(|s| *s != slug);
            report.conflicts.push(ImportConflict {
                slug: slug.clone(),
                differs: vec!["everything (approved while this import ran)".into()],
                kept: "the profile and media approved while this import ran".into(),
                approved_by: None,
                approved_at: None,
            });
            if let Some(found) = seeded
                .iter()
                .find(|s| s.record.profile.slug().as_str() == slug)
            {
                kept_seeds.push(found.seed.clone());
            }
        }
    }
    if !kept_seeds.is_empty() {
        store.save_seeds(&kept_seeds).await?;
    }
    report.conflicts.sort_by(|a, b| a.slug.cmp(&b.slug));

    place_in_layout(store, &mut report).await?;
    report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

/// Records the import in the audit log: one entry with its counts (nothing for the
/// first-start import, which creates the hall).
pub async fn audit_import(
    store: &Store,
    actor: ImportActor<'_>,
    report: &ImportReport,
) -> Result<(), Error> {
    let detail = report.audit_detail();
    match actor {
        ImportActor::FirstStart => Ok(()),
        ImportActor::Cli => {
            store
                .record_audit_without_account(CLI_ACTOR, IMPORT_ACTION, "catalogue", &detail)
                .await
        }
        ImportActor::Staff(who) => {
            store
                .record_audit(&NewAudit::new(who, IMPORT_ACTION, "catalogue", detail))
                .await
        }
    }
}

/// What the catalogue supplies for one folder, to remember as the exhibitor's seed.
fn seed_of(entry: &CatalogueEntry) -> CatalogueSeed {
    CatalogueSeed {
        source_hash: entry.source_hash.clone(),
        profile: entry.profile.clone(),
        logo: hex::encode(Sha256::digest(&entry.logo_svg)),
        media: media_fingerprint(&entry.media),
    }
}

/// sha256 over the media folder as listed: each entry's file name, kind, title, product and
/// bytes, in the manifest's order.
fn media_fingerprint(media: &[CatalogueMedia]) -> String {
    let mut hasher = Sha256::new();
    for item in media {
        for text in [
            item.file.as_str(),
            item.kind.as_str(),
            item.title.as_str(),
            item.product.as_deref().unwrap_or(""),
        ] {
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        hasher.update((item.bytes.len() as u64).to_le_bytes());
        hasher.update(&item.bytes);
    }
    hex::encode(hasher.finalize())
}

/// What the catalogue would change for an exhibitor whose live content was approved since:
/// the profile fields the catalogue changed since its last seed (every field when that seed
/// is unknown) that differ from the live profile, and the logo and media files it changed.
fn differences(state: &SeedState, seed: &CatalogueSeed) -> Vec<String> {
    let fields = |profile: &ValidProfile| match serde_json::to_value(profile) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let catalogue = fields(&seed.profile);
    let live = fields(&state.profile);
    let before = state.seed_profile.as_ref().map(fields);
    let mut differs: Vec<String> = catalogue
        .iter()
        .filter(|(name, value)| live.get(*name) != Some(*value))
        .filter(|(name, value)| {
            before
                .as_ref()
                .is_none_or(|before| before.get(*name) != Some(*value))
        })
        .map(|(name, _)| name.clone())
        .collect();
    match (&state.seed_logo, &state.seed_media) {
        (Some(logo), Some(media)) => {
            if *logo != seed.logo {
                differs.push("logo".into());
            }
            if *media != seed.media {
                differs.push("media".into());
            }
        }
        _ => differs.push("logo or media (not recorded by the import that supplied them)".into()),
    }
    differs
}

fn conflict(slug: &str, differs: Vec<String>, state: &SeedState) -> ImportConflict {
    let kept = match (&state.changed_by, &state.changed_at) {
        (Some(by), Some(at)) => format!("the profile and media {by} approved at {at}"),
        _ => "the profile and media approved through the API".to_owned(),
    };
    ImportConflict {
        slug: slug.to_owned(),
        differs,
        kept,
        approved_by: state.changed_by.clone(),
        approved_at: state.changed_at.clone(),
    }
}

/// Keeps the layout draft in step: with no draft, every exhibitor is arranged automatically;
/// otherwise the booths of resized exhibitors are taken out, and newcomers and resized
/// exhibitors are placed where there is room, without moving any other booth.
async fn place_in_layout(store: &Store, report: &mut ImportReport) -> Result<(), Error> {
    let Some(mut halls) = store.layout_draft().await? else {
        report.layout_arranged = arrange_layout_if_missing(store).await?;
        return Ok(());
    };
    // A resized exhibitor staff took off the floor stays off it.
    let had_booth: HashSet<&str> = halls
        .iter()
        .flat_map(|hall| &hall.booths)
        .map(|booth| booth.exhibitor.as_str())
        .filter(|slug| report.resized.iter().any(|r| r == slug))
        .collect();
    let moving: HashSet<String> = report
        .added
        .iter()
        .map(String::as_str)
        .chain(had_booth)
        .map(str::to_owned)
        .collect();
    if moving.is_empty() {
        return Ok(());
    }
    for hall in &mut halls {
        hall.booths
            .retain(|booth| !report.resized.contains(&booth.exhibitor));
    }
    let profiles: HashMap<String, ValidProfile> = store
        .exhibitors()
        .await?
        .into_iter()
        .map(|record| (record.profile.slug().to_string(), record.profile))
        .collect();
    let entries: Vec<ArrangeEntry> = moving
        .iter()
        .filter_map(|slug| profiles.get(slug))
        .map(ValidProfile::arrange_entry)
        .collect();
    let outcome = tokio::task::spawn_blocking(move || {
        let outcome = layout::place_newcomers(&mut halls, &entries);
        (halls, outcome)
    })
    .await?;
    let (halls, outcome) = outcome;
    if !outcome.placed.is_empty() || !report.resized.is_empty() {
        store.save_layout_draft(&halls, None, None).await?;
    }
    report.placed = outcome
        .placed
        .into_iter()
        .map(|booth| PlacedBooth {
            slug: booth.slug,
            hall: booth.hall,
            position: booth.position,
            in_topic_zone: booth.in_topic_zone,
        })
        .collect();
    report.unplaced = outcome.unplaced;
    tracing::info!(
        placed = report.placed.len(),
        unplaced = report.unplaced.len(),
        "newcomers placed in the layout draft"
    );
    Ok(())
}

/// Renders every changed exhibitor over all cores, then writes the media files (fsync is
/// the slow part, so it gets its own, wider, pool).
fn render_and_store(
    renderer: &Renderer,
    media: &MediaStore,
    catalogue: &Path,
    entries: Vec<CatalogueEntry>,
    budget: CheckBudget,
) -> Result<(Vec<ExhibitorRecord>, Vec<StoredMedia>, Vec<Vec<BoothMedia>>), Error> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let rendered = parallel_map(&entries, cores, |entry| {
        render_exhibitor(renderer, entry, budget)
    });
    let render_time = started.elapsed();
    let mut problems = Vec::new();
    let mut images = Vec::new();
    for (entry, result) in entries.iter().zip(rendered) {
        match result {
            Ok(rendered) => images.push(rendered),
            Err((field, message)) => problems.push(CatalogueProblem {
                folder: entry.profile.slug().to_string(),
                field,
                message,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(CatalogueProblems {
            catalogue: catalogue.to_path_buf(),
            problems,
        }
        .into());
    }

    let files: Vec<(&[u8], &str)> = images
        .iter()
        .flat_map(|i| {
            [
                (i.logo.as_slice(), "png"),
                (i.fascia.as_slice(), "png"),
                (i.name_plate.as_slice(), "png"),
            ]
            .into_iter()
            .chain(i.media.iter().map(|m| (m.bytes.as_slice(), m.extension)))
        })
        .collect();
    let stored = parallel_map(files.as_slice(), cores * 4, |(bytes, extension)| {
        media.put(bytes, extension)
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    tracing::info!(
        exhibitors = entries.len(),
        threads = cores,
        render_ms = render_time.as_millis(),
        write_ms = (started.elapsed() - render_time).as_millis(),
        "rendered and stored exhibitor media"
    );

    let mut records = Vec::new();
    let mut booth_media = Vec::new();
    let mut next = stored.iter();
    for (entry, rendered) in entries.into_iter().zip(&images) {
        let mut take = || next.next().expect("one stored file per rendered file");
        let (logo, fascia, name_plate) = (take(), take(), take());
        booth_media.push(
            rendered
                .media
                .iter()
                .map(|checked| {
                    let file = take();
                    BoothMedia {
                        sha256: file.sha256.clone(),
                        kind: checked.kind,
                        url: file.url(),
                        content_type: file.content_type.to_owned(),
                        title: checked.title.clone(),
                        byte_size: file.byte_size,
                        width: checked.width,
                        height: checked.height,
                        product: checked.product.clone(),
                    }
                })
                .collect(),
        );
        records.push(ExhibitorRecord {
            profile: entry.profile,
            logo_sha256: logo.sha256.clone(),
            fascia_sha256: fascia.sha256.clone(),
            name_plate_sha256: name_plate.sha256.clone(),
            source_hash: entry.source_hash,
        });
    }
    Ok((records, stored, booth_media))
}

/// Renders an exhibitor's images and checks its media; a failure names the file at fault.
fn render_exhibitor(
    renderer: &Renderer,
    entry: &CatalogueEntry,
    budget: CheckBudget,
) -> Result<RenderedImages, (String, String)> {
    let profile = &entry.profile;
    let media = entry
        .media
        .iter()
        .map(|item| {
            check_media(item, profile.tier(), &budget.start())
                .map_err(|e| (format!("{MEDIA_DIR}/{}", item.file), budget.describe(&e)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let logo_problem = |message: String| (LOGO_FILE.to_owned(), message);
    let colour = profile.colour();
    let logo = renderer
        .parse_logo(&entry.logo_svg, &budget.start())
        .map_err(|e| logo_problem(e.to_string()))?;
    let error = |e: RenderError| logo_problem(e.to_string());
    Ok(RenderedImages {
        media,
        logo: renderer.logo_png(&logo).map_err(error)?,
        fascia: renderer
            .fascia_png(&logo, profile.tagline(), colour)
            .map_err(error)?,
        name_plate: renderer
            .name_plate_png(profile.name(), colour)
            .map_err(error)?,
    })
}

/// Maps `work` over `items` on up to `workers` threads, keeping the order of the items.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = workers.clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else { break };
                        done.push((index, work(item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Arranges every exhibitor automatically when there is no layout draft yet (a fresh store),
/// with the forum hall of the programme draft's stages and the contest desk beside the
/// exhibition halls when there is a programme; returns whether it did. A draft that exists is never re-arranged here: staff may have
/// curated it ([`import_catalogue`] only adds booths to it).
pub async fn arrange_layout_if_missing(store: &Store) -> Result<bool, Error> {
    if store.layout_draft().await?.is_some() {
        return Ok(false);
    }
    let entries: Vec<ArrangeEntry> = store
        .exhibitors()
        .await?
        .iter()
        .map(|record| record.profile.arrange_entry())
        .collect();
    let mut halls = layout::arrange(&entries);
    // The programme is imported first: its stages (and the contest desk) get a hall of their own.
    if let Some(draft) = store.programme_draft().await? {
        let forum = layout::forum_hall_for(&draft.programme, &halls);
        halls.push(forum);
    }
    let problems = layout::validate(&halls);
    if !problems.is_empty() {
        let described: Vec<String> = problems
            .iter()
            .map(|p| {
                format!(
                    "{} {}: {}",
                    p.hall,
                    p.exhibitor.as_deref().unwrap_or("-"),
                    p.message
                )
            })
            .collect();
        return Err(Error::InvalidLayout(described.join("; ")));
    }
    store.save_layout_draft(&halls, None, None).await?;
    tracing::info!(
        halls = halls.len(),
        booths = entries.len(),
        "layout arranged"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<u32> = (0..100).collect();
        assert_eq!(
            parallel_map(&items, 7, |i| i * 2),
            items.iter().map(|i| i * 2).collect::<Vec<_>>()
        );
        assert!(parallel_map(&[] as &[u32], 4, |i| *i).is_empty());
    }
}
