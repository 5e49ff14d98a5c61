//! The data check (`pavilion check-data`): `PRAGMA integrity_check`, and the media store
//! against the database: every `media` row has its file with the recorded size and the hash
//! it is named by (no partial file), every file has a row, everything referred to is stored,
//! nothing is left unreferenced and no temp file is left. Read-only, so it may run beside a
//! server (idle, for an exact answer: an upload under way has a temp file).

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read as _};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::db::Store;
use crate::error::Error;
use crate::media::MediaStore;
use crate::media::store::extension_of;
use crate::storage::MEDIA_FOLDER;

/// What the check found; [`DataCheck::ok`] when nothing is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DataCheck {
    /// `PRAGMA integrity_check`'s answer (`ok` when the database is sound).
    pub integrity: String,
    pub media_rows: usize,
    pub media_files: usize,
    pub media_bytes: u64,
    /// The version visitors see (0 when nothing is published).
    pub published_version: i64,
    /// Rows whose file is missing.
    pub missing_files: Vec<String>,
    /// Files whose size or content does not match their row and name (partial or damaged).
    pub damaged_files: Vec<String>,
    /// Files without a row.
    pub unreferenced_files: Vec<String>,
    /// Rows nothing refers to (the sweep deletes them after the grace period).
    pub unreferenced_rows: Vec<String>,
    /// Hashes something refers to that have no row.
    pub missing_rows: Vec<String>,
    /// Temp files of uploads or writes that never finished.
    pub temp_files: Vec<String>,
}

impl DataCheck {
    /// True when the database is sound and the media store matches it exactly.
    pub fn ok(&self) -> bool {
        self.integrity == "ok"
            && self.missing_files.is_empty()
            && self.damaged_files.is_empty()
            && self.unreferenced_files.is_empty()
            && self.unreferenced_rows.is_empty()
            && self.missing_rows.is_empty()
            && self.temp_files.is_empty()
    }
}

/// Checks the data folder `data_dir` without writing to it.
pub async fn check_data(data_dir: &Path) -> Result<DataCheck, Error> {
    let store = Store::open_read_only(data_dir).await?;
    let outcome = check_store(&store, &MediaStore::new(data_dir.join(MEDIA_FOLDER))).await;
    store.close().await;
    outcome
}

async fn check_store(store: &Store, media: &MediaStore) -> Result<DataCheck, Error> {
    let integrity = store.integrity_check().await?;
    let rows = store.media_inventory().await?;
    let referenced = store.referenced_media().await?;
    let published_version = store.backup_counts().await?.published_version;
    let media = media.clone();
    let mut check = tokio::task::spawn_blocking(move || -> Result<DataCheck, Error> {
        let mut check = DataCheck {
            media_rows: rows.len(),
            ..DataCheck::default()
        };
        let known: HashSet<&str> = rows.iter().map(|row| row.sha256.as_str()).collect();
        for row in &rows {
            let Some(extension) = extension_of(&row.content_type) else {
                check.damaged_files.push(row.sha256.clone());
                continue;
            };
            match file_digest(&media.path_of(&row.sha256, extension))? {
                None => check.missing_files.push(row.sha256.clone()),
                Some((size, digest)) if size != row.byte_size || digest != row.sha256 => {
                    check.damaged_files.push(row.sha256.clone());
                }
                Some(_) => {}
            }
            if !referenced.contains(&row.sha256) {
                check.unreferenced_rows.push(row.sha256.clone());
            }
        }
        for file in media.stored_files()? {
            check.media_files += 1;
            check.media_bytes += file.byte_size;
            if !known.contains(file.sha256.as_str()) {
                check.unreferenced_files.push(file.location.clone());
            }
        }
        check.missing_rows = referenced
            .iter()
            .filter(|sha256| !known.contains(sha256.as_str()))
            .cloned()
            .collect();
        check.missing_rows.sort();
        check.temp_files = media
            .temp_files()?
            .into_iter()
            .map(|(path, _)| path.display().to_string())
            .collect();
        Ok(check)
    })
    .await??;
    check.integrity = integrity;
    check.published_version = published_version;
    Ok(check)
}

/// The size and SHA-256 (hex) of a file, or `None` when there is no such file.
pub(crate) fn file_digest(path: &Path) -> io::Result<Option<(u64, String)>> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok(Some((size, hex::encode(hasher.finalize()))))
}
