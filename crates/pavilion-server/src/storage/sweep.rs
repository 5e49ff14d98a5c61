//! The storage sweep: deletes media nothing refers to (no snapshot, no exhibitor's signage or
//! approved media, no draft, no submission) once they are older than the grace period, rows
//! and files alike, and the temp files of uploads and writes that never finished.
//!
//! Deleting is careful about racing writers: a row is deleted by a statement that re-checks
//! every reference, a file only when it has no row and was not written (or stored again,
//! which refreshes its time) since the cut-off.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::db::Store;
use crate::error::Error;
use crate::media::MediaStore;
use crate::media::store::remove_file;
use crate::time::rfc3339_from_unix;

/// What one sweep removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub temp_files: usize,
    pub media_rows: usize,
    pub media_files: usize,
    pub bytes_freed: u64,
}

impl fmt::Display for SweepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "storage sweep: {} abandoned temp file(s), {} unreferenced media row(s), {} file(s), {} bytes freed",
            self.temp_files, self.media_rows, self.media_files, self.bytes_freed
        )
    }
}

/// Removes upload and store temp files last written before `cutoff`, or all of them when
/// `cutoff` is `None` (at start-up, when no upload can be under way). Returns how many files
/// and bytes were removed.
pub async fn sweep_temp_files(
    media: &MediaStore,
    cutoff: Option<SystemTime>,
) -> Result<(usize, u64), Error> {
    let media = media.clone();
    tokio::task::spawn_blocking(move || {
        let mut removed = (0, 0);
        for (path, modified) in media.temp_files()? {
            if cutoff.is_some_and(|cutoff| modified >= cutoff) {
                continue;
            }
            if let Some(bytes) = remove_file(&path)? {
                removed.0 += 1;
                removed.1 += bytes;
            }
        }
        Ok(removed)
    })
    .await?
}

/// Deletes the media rows and files nothing refers to that were created (files: last
/// written) before `cutoff`.
pub async fn sweep_orphans(
    store: &Store,
    media: &MediaStore,
    cutoff: SystemTime,
) -> Result<SweepReport, Error> {
    let cutoff_text = rfc3339_from_unix(
        cutoff
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
    );
    let referenced = store.referenced_media().await?;
    let candidates: Vec<String> = store
        .media_rows()
        .await?
        .into_iter()
        .filter(|row| !referenced.contains(&row.sha256) && row.created_at < cutoff_text)
        .map(|row| row.sha256)
        .collect();
    let deleted = store
        .delete_unreferenced_media(&candidates, &cutoff_text)
        .await?;
    let mut report = SweepReport {
        media_rows: deleted.len(),
        ..SweepReport::default()
    };
    // A file is kept while it has a row (the row's references decide) or a reference.
    let mut keep: HashSet<String> = store
        .media_rows()
        .await?
        .into_iter()
        .map(|row| row.sha256)
        .collect();
    keep.extend(referenced);
    let media = media.clone();
    let (files, bytes) = tokio::task::spawn_blocking(move || -> io::Result<(usize, u64)> {
        let mut removed = (0, 0);
        for file in media.stored_files()? {
            if keep.contains(&file.sha256) || file.modified >= cutoff {
                continue;
            }
            // Look again just before deleting: storing the same bytes refreshes the time.
            let fresh = media
                .modified(&file)
                .is_ok_and(|modified| modified.is_none_or(|modified| modified >= cutoff));
            if fresh {
                continue;
            }
            if let Some(size) = media.remove(&file)? {
                removed.0 += 1;
                removed.1 += size;
            }
        }
        Ok(removed)
    })
    .await??;
    report.media_files = files;
    report.bytes_freed = bytes;
    Ok(report)
}
