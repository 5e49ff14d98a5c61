//! Importing the catalogue: read and check every folder, render changed exhibitors and check
//! their media files in parallel, store their media and rows, and keep the layout draft in step.
//! A changed folder's catalogue media become its booth's approved media.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pavilion_model::layout::{self, ArrangeEntry};
use pavilion_model::{BoothMedia, Hall, ValidProfile};

use super::read::{
    CatalogueEntry, CheckedMedia, LOGO_FILE, MEDIA_DIR, check_media, read_catalogue,
};
use crate::db::{ExhibitorRecord, Store};
use crate::error::{CatalogueProblem, CatalogueProblems, Error};
use crate::media::CheckBudget;
use crate::media::render::{RenderError, Renderer};
use crate::media::store::{MediaStore, StoredMedia};

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

/// The three rendered images of one exhibitor and its checked media, before they are stored.
struct RenderedImages {
    logo: Vec<u8>,
    fascia: Vec<u8>,
    name_plate: Vec<u8>,
    media: Vec<CheckedMedia>,
}

/// Imports the catalogue: nothing is written unless every folder is valid and renders.
/// Does not publish; the caller decides.
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

    let known = store.source_hashes().await?;
    let mut report = ImportReport::default();
    let mut changed = Vec::new();
    for entry in entries {
        let slug = entry.profile.slug().to_string();
        match known.get(&slug) {
            Some(hash) if *hash == entry.source_hash => report.unchanged += 1,
            Some(_) => {
                report.updated.push(slug);
                changed.push(entry);
            }
            None => {
                report.added.push(slug);
                changed.push(entry);
            }
        }
    }

    if !changed.is_empty() {
        let (mut records, media_rows, booth_media) = tokio::task::spawn_blocking({
            let renderer = renderer.clone();
            let media = media.clone();
            move || render_and_store(&renderer, &media, &catalogue, changed, budget)
        })
        .await??;
        // The rows are saved without their source hash, which is set together with the media
        // list: a crash in between leaves the folder looking changed, so it is imported again.
        let hashes: Vec<String> = records
            .iter_mut()
            .map(|record| std::mem::take(&mut record.source_hash))
            .collect();
        store.save_exhibitors(&media_rows, &records).await?;
        let booths: Vec<(&str, &str, &[BoothMedia])> = records
            .iter()
            .zip(&hashes)
            .zip(&booth_media)
            .map(|((record, hash), media)| {
                (
                    record.profile.slug().as_str(),
                    hash.as_str(),
                    media.as_slice(),
                )
            })
            .collect();
        store.save_booth_media(&booths).await?;
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

/// Arranges the layout draft when there is none or when it no longer fits the exhibitors
/// (someone new, someone gone, or a changed topic or tier). Returns whether it did.
///
/// Re-arranging moves booths; that is fine while layouts are only ever automatic. Once staff
/// curate the floor plan, newcomers should be appended instead.
pub async fn arrange_layout_if_needed(store: &Store) -> Result<bool, Error> {
    let profiles: Vec<ValidProfile> = store
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
    let entries: Vec<ArrangeEntry> = profiles.iter().map(ValidProfile::arrange_entry).collect();
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
    store.save_layout_draft(&halls, None, None).await?;
    tracing::info!(
        halls = halls.len(),
        booths = entries.len(),
        "layout arranged"
    );
    Ok(true)
}

/// True when every exhibitor has exactly one booth of its tier's size inside its topic's zone.
fn layout_fits(halls: &[Hall], profiles: &[ValidProfile]) -> bool {
    let placed: HashSet<&str> = halls
        .iter()
        .flat_map(|hall| hall.booths.iter().map(|b| b.exhibitor.as_str()))
        .collect();
    let booth_count: usize = halls.iter().map(|hall| hall.booths.len()).sum();
    if booth_count != profiles.len() || placed.len() != profiles.len() {
        return false;
    }
    profiles.iter().all(|profile| {
        halls.iter().any(|hall| {
            hall.booths.iter().any(|booth| {
                booth.exhibitor == profile.slug().as_str()
                    && booth.footprint == profile.tier().footprint()
                    && hall.zones.iter().any(|zone| {
                        zone.topic == profile.topic() && zone.area.contains(&booth.floor_rect())
                    })
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
