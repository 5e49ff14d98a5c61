//! Importing the catalogue: read and check every folder, render changed exhibitors in
//! parallel, store their media and rows, and keep the layout draft in step.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pavilion_model::layout::{self, ArrangeEntry};
use pavilion_model::snapshot::parse_hex_colour;
use pavilion_model::{ExhibitorProfile, Hall};

use crate::catalogue::{
    CatalogueEntry, CatalogueProblem, CatalogueProblems, LOGO_FILE, read_catalogue,
};
use crate::error::Error;
use crate::media::{MediaStore, StoredMedia};
use crate::render::Renderer;
use crate::store::{ExhibitorRecord, Store};

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub layout_arranged: bool,
    /// The snapshot version published after the import, when one was.
    pub published_version: Option<u64>,
    pub elapsed: Duration,
}

impl ImportReport {
    pub fn changed_anything(&self) -> bool {
        !self.added.is_empty() || !self.updated.is_empty() || self.layout_arranged
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "catalogue imported in {:.2} s: {} added, {} updated, {} unchanged",
            self.elapsed.as_secs_f64(),
            self.added.len(),
            self.updated.len(),
            self.unchanged
        )?;
        if self.layout_arranged {
            write!(f, "; layout arranged")?;
        }
        match self.published_version {
            Some(version) => write!(f, "; published version {version}")?,
            None => write!(f, "; nothing to publish")?,
        }
        for (label, slugs) in [("added", &self.added), ("updated", &self.updated)] {
            if !slugs.is_empty() {
                write!(f, "\n  {label}: {}", slugs.join(", "))?;
            }
        }
        Ok(())
    }
}

/// The three rendered images of one exhibitor, before they are stored.
struct RenderedImages {
    logo: Vec<u8>,
    fascia: Vec<u8>,
    name_plate: Vec<u8>,
}

/// Imports the catalogue: nothing is written unless every folder is valid and renders.
/// Does not publish; the caller decides.
pub async fn import_catalogue(
    store: &Store,
    media: &MediaStore,
    renderer: &Renderer,
    catalogue: &Path,
) -> Result<ImportReport, Error> {
    let started = Instant::now();
    let catalogue = catalogue.to_path_buf();
    let entries = tokio::task::spawn_blocking({
        let catalogue = catalogue.clone();
        move || read_catalogue(&catalogue)
    })
    .await??;

    let known = store.source_hashes().await?;
    let mut report = ImportReport::default();
    let mut changed = Vec::new();
    for entry in entries {
        match known.get(&entry.profile.slug) {
            Some(hash) if *hash == entry.source_hash => report.unchanged += 1,
            Some(_) => {
                report.updated.push(entry.profile.slug.clone());
                changed.push(entry);
            }
            None => {
                report.added.push(entry.profile.slug.clone());
                changed.push(entry);
            }
        }
    }

    if !changed.is_empty() {
        let (records, media_rows) = tokio::task::spawn_blocking({
            let renderer = renderer.clone();
            let media = media.clone();
            move || render_and_store(&renderer, &media, &catalogue, changed)
        })
        .await??;
        store.save_exhibitors(&media_rows, &records).await?;
    }

    report.layout_arranged = arrange_layout_if_needed(store).await?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Renders every changed exhibitor over all cores, then writes the media files (fsync is
/// the slow part, so it gets its own, wider, pool).
fn render_and_store(
    renderer: &Renderer,
    media: &MediaStore,
    catalogue: &Path,
    entries: Vec<CatalogueEntry>,
) -> Result<(Vec<ExhibitorRecord>, Vec<StoredMedia>), Error> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let rendered = parallel_map(&entries, cores, |entry| render_exhibitor(renderer, entry));
    let render_time = started.elapsed();
    let mut problems = Vec::new();
    let mut images = Vec::new();
    for (entry, result) in entries.iter().zip(rendered) {
        match result {
            Ok(rendered) => images.push(rendered),
            Err(message) => problems.push(CatalogueProblem {
                folder: entry.profile.slug.clone(),
                field: LOGO_FILE.into(),
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

    let files: Vec<&[u8]> = images
        .iter()
        .flat_map(|i| {
            [
                i.logo.as_slice(),
                i.fascia.as_slice(),
                i.name_plate.as_slice(),
            ]
        })
        .collect();
    let stored = parallel_map(files.as_slice(), cores * 4, |bytes: &&[u8]| {
        media.put(bytes, "png")
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

    let records = entries
        .into_iter()
        .zip(stored.chunks_exact(3))
        .map(|(entry, media)| ExhibitorRecord {
            profile: entry.profile,
            logo_sha256: media[0].sha256.clone(),
            fascia_sha256: media[1].sha256.clone(),
            name_plate_sha256: media[2].sha256.clone(),
            source_hash: entry.source_hash,
        })
        .collect();
    Ok((records, stored))
}

fn render_exhibitor(renderer: &Renderer, entry: &CatalogueEntry) -> Result<RenderedImages, String> {
    let profile = &entry.profile;
    let colour = parse_hex_colour(&profile.colour).ok_or("the colour was not checked")?;
    let logo = renderer
        .parse_logo(&entry.logo_svg)
        .map_err(|e| e.to_string())?;
    let error = |e: crate::render::RenderError| e.to_string();
    Ok(RenderedImages {
        logo: renderer.logo_png(&logo).map_err(error)?,
        fascia: renderer
            .fascia_png(&logo, &profile.tagline, colour)
            .map_err(error)?,
        name_plate: renderer
            .name_plate_png(&profile.name, colour)
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

/// Arranges the layout draft when there is none or when it no longer fits the exhibitors
/// (someone new, someone gone, or a changed topic or tier). Returns whether it did.
///
/// Re-arranging moves booths; that is fine while layouts are only ever automatic. Once staff
/// curate the floor plan, newcomers should be appended instead.
pub async fn arrange_layout_if_needed(store: &Store) -> Result<bool, Error> {
    let profiles: Vec<ExhibitorProfile> = store
        .exhibitors()
        .await?
        .into_iter()
        .map(|e| e.profile)
        .collect();
    let draft = store.layout_draft().await?;
    if draft
        .as_ref()
        .is_some_and(|halls| layout_fits(halls, &profiles))
    {
        return Ok(false);
    }
    let entries: Vec<ArrangeEntry> = profiles
        .iter()
        .filter_map(|profile| {
            Some(ArrangeEntry {
                slug: profile.slug.clone(),
                topic: profile.topic()?,
                tier: profile.tier()?,
            })
        })
        .collect();
    let halls = layout::arrange(&entries);
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
    store.save_layout_draft(&halls).await?;
    tracing::info!(
        halls = halls.len(),
        booths = entries.len(),
        "layout arranged"
    );
    Ok(true)
}

/// True when every exhibitor has exactly one booth of its tier's size inside its topic's zone.
fn layout_fits(halls: &[Hall], profiles: &[ExhibitorProfile]) -> bool {
    let placed: HashSet<&str> = halls
        .iter()
        .flat_map(|hall| hall.booths.iter().map(|b| b.exhibitor.as_str()))
        .collect();
    let booth_count: usize = halls.iter().map(|hall| hall.booths.len()).sum();
    if booth_count != profiles.len() || placed.len() != profiles.len() {
        return false;
    }
    profiles.iter().all(|profile| {
        let (Some(topic), Some(tier)) = (profile.topic(), profile.tier()) else {
            return false;
        };
        halls.iter().any(|hall| {
            hall.booths.iter().any(|booth| {
                booth.exhibitor == profile.slug
                    && booth.footprint == tier.footprint()
                    && hall
                        .zones
                        .iter()
                        .any(|zone| zone.topic == topic && zone.area.contains(&booth.floor_rect()))
            })
        })
    })
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
